-- The glyph's name stays in the renamed column: emoji are not restored.
ALTER TABLE apps DROP COLUMN icon_image;
ALTER TABLE apps DROP COLUMN icon_color;
ALTER TABLE apps RENAME COLUMN icon_glyph TO icon;
