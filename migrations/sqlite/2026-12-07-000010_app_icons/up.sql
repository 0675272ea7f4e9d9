-- An app's icon is a glyph of the vendored Lucide set on one of the palette's colours, or
-- an uploaded image (its storage key; empty when none), no longer an emoji: emoji draw as
-- empty boxes where no emoji font is installed. Each emoji the old picker offered (and
-- those the demo data and custom apps used) becomes the glyph that draws the same thing,
-- on a fixed colour; anything else becomes the clipboard on slate.
ALTER TABLE apps RENAME COLUMN icon TO icon_glyph;
ALTER TABLE apps ADD COLUMN icon_color TEXT NOT NULL DEFAULT 'blue';
ALTER TABLE apps ADD COLUMN icon_image TEXT NOT NULL DEFAULT '';
UPDATE apps SET
  icon_color = CASE icon_glyph
    WHEN '📋' THEN 'blue'
    WHEN '📦' THEN 'orange'
    WHEN '🧾' THEN 'teal'
    WHEN '📊' THEN 'indigo'
    WHEN '🛠️' THEN 'slate'
    WHEN '🛠' THEN 'slate'
    WHEN '🏷️' THEN 'rose'
    WHEN '🏷' THEN 'rose'
    WHEN '📅' THEN 'violet'
    WHEN '🚚' THEN 'orange'
    WHEN '💼' THEN 'indigo'
    WHEN '🏥' THEN 'rose'
    WHEN '🎓' THEN 'violet'
    WHEN '🏭' THEN 'slate'
    WHEN '🤝' THEN 'green'
    WHEN '🧩' THEN 'violet'
    WHEN '📒' THEN 'green'
    ELSE 'slate'
  END,
  icon_glyph = CASE icon_glyph
    WHEN '📋' THEN 'clipboard-list'
    WHEN '📦' THEN 'package'
    WHEN '🧾' THEN 'receipt'
    WHEN '📊' THEN 'chart-column'
    WHEN '🛠️' THEN 'wrench'
    WHEN '🛠' THEN 'wrench'
    WHEN '🏷️' THEN 'tag'
    WHEN '🏷' THEN 'tag'
    WHEN '📅' THEN 'calendar'
    WHEN '🚚' THEN 'truck'
    WHEN '💼' THEN 'briefcase'
    WHEN '🏥' THEN 'hospital'
    WHEN '🎓' THEN 'graduation-cap'
    WHEN '🏭' THEN 'factory'
    WHEN '🤝' THEN 'handshake'
    WHEN '🧩' THEN 'puzzle'
    WHEN '📒' THEN 'file-text'
    ELSE 'clipboard-list'
  END;
