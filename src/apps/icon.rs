//! An app's icon (应用图标): a glyph of a small Lucide set, drawn white on one of a few
//! background colours, or an image its builder uploaded. Never an emoji: emoji draw as
//! empty boxes where no emoji font is installed. The glyphs are vendored with the
//! navigation's icons (`static/vendor/icons/`) and drawn from the same sprite.

use std::io::Cursor;

use crate::storage::FileKind;

/// The glyphs an app may wear (name of the vendored Lucide file, i18n key of its label),
/// chosen for business apps. The first is the default.
pub const GLYPHS: [(&str, &str); 24] = [
    ("clipboard-list", "apps.glyph.clipboard_list"),
    ("package", "apps.glyph.package"),
    ("receipt", "apps.glyph.receipt"),
    ("chart-column", "apps.glyph.chart_column"),
    ("wrench", "apps.glyph.wrench"),
    ("tag", "apps.glyph.tag"),
    ("calendar", "apps.glyph.calendar"),
    ("truck", "apps.glyph.truck"),
    ("briefcase", "apps.glyph.briefcase"),
    ("hospital", "apps.glyph.hospital"),
    ("graduation-cap", "apps.glyph.graduation_cap"),
    ("factory", "apps.glyph.factory"),
    ("handshake", "apps.glyph.handshake"),
    ("puzzle", "apps.glyph.puzzle"),
    ("users", "apps.glyph.users"),
    ("file-text", "apps.glyph.file_text"),
    ("shopping-cart", "apps.glyph.shopping_cart"),
    ("wallet", "apps.glyph.wallet"),
    ("building-2", "apps.glyph.building"),
    ("headset", "apps.glyph.headset"),
    ("message-square", "apps.glyph.message_square"),
    ("calculator", "apps.glyph.calculator"),
    ("warehouse", "apps.glyph.warehouse"),
    ("shield-check", "apps.glyph.shield_check"),
];

/// The background colours (name, CSS colour, i18n key of its label). Each is dark enough
/// that the white glyph on it meets WCAG AA for text (4.5:1), more than the 3:1 a
/// graphic needs; `app.css` repeats the values as `.bg-NAME`. The first is the default.
pub const COLORS: [(&str, &str, &str); 8] = [
    ("blue", "#1d4ed8", "apps.color.blue"),
    ("indigo", "#4338ca", "apps.color.indigo"),
    ("violet", "#6d28d9", "apps.color.violet"),
    ("rose", "#be123c", "apps.color.rose"),
    ("orange", "#c2410c", "apps.color.orange"),
    ("green", "#15803d", "apps.color.green"),
    ("teal", "#0f766e", "apps.color.teal"),
    ("slate", "#475569", "apps.color.slate"),
];

/// An uploaded icon: PNG, JPEG or WebP by its content, at most 512 KB and 1024 pixels a
/// side (it is drawn at a few dozen pixels; the side is read before decoding, so a small
/// file claiming a huge picture is refused without being unpacked).
pub const IMAGE_MAX_BYTES: usize = 512 * 1024;
pub const IMAGE_MAX_SIDE: u32 = 1024;

pub fn parse_glyph(raw: &str) -> Result<&'static str, &'static str> {
    let raw = raw.trim();
    GLYPHS
        .iter()
        .find(|(name, _)| *name == raw)
        .map(|(name, _)| *name)
        .ok_or("apps.error.icon")
}

pub fn parse_color(raw: &str) -> Result<&'static str, &'static str> {
    let raw = raw.trim();
    COLORS
        .iter()
        .find(|(name, _, _)| *name == raw)
        .map(|(name, _, _)| *name)
        .ok_or("apps.error.color")
}

/// An uploaded icon image, judged by its content (see [`IMAGE_MAX_BYTES`]).
pub fn check_image(bytes: &[u8]) -> Result<FileKind, &'static str> {
    if bytes.len() > IMAGE_MAX_BYTES {
        return Err("apps.error.image_bytes");
    }
    let kind = FileKind::sniff(bytes);
    if !matches!(kind, FileKind::Png | FileKind::Jpeg | FileKind::Webp) {
        return Err("apps.error.image_format");
    }
    let (w, h) = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()
        .and_then(|r| r.into_dimensions().ok())
        .ok_or("apps.error.image_format")?;
    if w > IMAGE_MAX_SIDE || h > IMAGE_MAX_SIDE {
        return Err("apps.error.image_side");
    }
    if !crate::storage::image_decodes(bytes) {
        return Err("apps.error.image_format");
    }
    Ok(kind)
}

/// An app's icon as a page draws it (the `app_icon` macro of `_macros.html`).
#[derive(Clone, Debug)]
pub struct AppIcon {
    app_id: i64,
    pub glyph: &'static str,
    pub color: &'static str,
    /// The uploaded image's storage key, if any.
    image: Option<String>,
    /// Put before `/a/{id}/icon` where the viewer reaches the app through something
    /// else (a distribution link's `/d/{token}`).
    base: String,
}

impl AppIcon {
    /// From the stored columns; a value no longer offered draws as the defaults.
    pub fn new(app_id: i64, glyph: &str, color: &str, image: &str) -> AppIcon {
        AppIcon {
            app_id,
            // Stored values were trimmed when saved: a lookup, no parse.
            glyph: GLYPHS
                .iter()
                .find(|(name, _)| *name == glyph)
                .map_or(GLYPHS[0].0, |(name, _)| *name),
            color: COLORS
                .iter()
                .find(|(name, _, _)| *name == color)
                .map_or(COLORS[0].0, |(name, _, _)| *name),
            image: (!image.is_empty()).then(|| image.to_string()),
            base: String::new(),
        }
    }

    /// The image served under `base` (e.g. `/d/{token}`) instead of the app's own URL.
    pub fn under(mut self, base: &str) -> AppIcon {
        self.base = base.to_string();
        self
    }

    /// Where the uploaded image is served; the key in the query makes a new upload a new
    /// URL, so browsers may cache each one.
    pub fn image_src(&self) -> Option<String> {
        self.image.as_ref().map(|key| {
            let version = key.split('.').next().unwrap_or_default();
            format!("{}/a/{}/icon?v={version}", self.base, self.app_id)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).expect("hex")) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    #[test]
    fn white_on_every_colour_meets_wcag_aa_for_text() {
        for (name, hex, _) in COLORS {
            let ratio = 1.05 / (luminance(hex) + 0.05);
            assert!(ratio >= 4.5, "{name} {hex}: {ratio:.2}");
        }
    }

    #[test]
    fn every_glyph_is_vendored() {
        for (name, _) in GLYPHS {
            let path = format!(
                "{}/static/vendor/icons/{name}.svg",
                env!("CARGO_MANIFEST_DIR")
            );
            assert!(std::path::Path::new(&path).exists(), "{path}");
        }
    }

    #[test]
    fn only_offered_glyphs_and_colours_are_taken() {
        assert_eq!(parse_glyph("truck"), Ok("truck"));
        assert_eq!(parse_glyph("📦"), Err("apps.error.icon"));
        assert_eq!(parse_glyph("../x"), Err("apps.error.icon"));
        assert_eq!(parse_color("teal"), Ok("teal"));
        assert_eq!(parse_color("#fff"), Err("apps.error.color"));
    }

    #[test]
    fn a_stored_value_no_longer_offered_draws_as_the_default() {
        let icon = AppIcon::new(7, "📦", "gold", "");
        assert_eq!((icon.glyph, icon.color), ("clipboard-list", "blue"));
        assert_eq!(icon.image_src(), None);
        let icon = AppIcon::new(7, "truck", "teal", "ab12.png").under("/d/tok");
        assert_eq!(icon.image_src().as_deref(), Some("/d/tok/a/7/icon?v=ab12"));
    }

    #[test]
    fn an_image_is_refused_when_too_large_unknown_or_undecodable() {
        assert_eq!(check_image(b"GIF89a......"), Err("apps.error.image_format"));
        assert_eq!(check_image(b"plain text"), Err("apps.error.image_format"));
        let huge = vec![0u8; IMAGE_MAX_BYTES + 1];
        assert_eq!(check_image(&huge), Err("apps.error.image_bytes"));
        let mut png = Vec::new();
        image::RgbImage::new(2000, 1)
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("png");
        assert_eq!(check_image(&png), Err("apps.error.image_side"));
        let mut ok = Vec::new();
        image::RgbImage::new(64, 64)
            .write_to(&mut Cursor::new(&mut ok), image::ImageFormat::Png)
            .expect("png");
        assert_eq!(check_image(&ok), Ok(FileKind::Png));
        assert_eq!(
            check_image(&ok[..ok.len() / 2]),
            Err("apps.error.image_format")
        );
    }
}
