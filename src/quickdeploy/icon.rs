//! The suite icon of an application (套件icon): the seed asks for a PNG of exactly 120×120
//! with rounded corners of a 22 px radius. Judged by its content: pixels outside the
//! rounded rectangle must be transparent, with a pixel of tolerance on the boundary for
//! anti-aliasing. A provider whose icon has square corners may ask Fenfa to apply the mask.

use std::io::Cursor;

use image::{ImageFormat, RgbaImage};

use crate::storage::FileKind;

/// The icon's side in pixels.
pub(crate) const SIDE: u32 = 120;
/// The corners' radius in pixels.
pub(crate) const RADIUS: f32 = 22.0;
/// A pixel whose centre lies further than this beyond the boundary must be transparent.
const TOLERANCE: f32 = 1.0;
/// "Transparent" allows a faint alpha (encoders leave some).
const MAX_ALPHA_OUTSIDE: u8 = 8;

/// How far the centre of pixel (x, y) lies outside the rounded rectangle (negative:
/// inside; along the straight edges, well inside).
fn beyond(x: u32, y: u32) -> f32 {
    let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
    let side = SIDE as f32;
    let cx = if px < RADIUS {
        RADIUS
    } else if px > side - RADIUS {
        side - RADIUS
    } else {
        return -RADIUS;
    };
    let cy = if py < RADIUS {
        RADIUS
    } else if py > side - RADIUS {
        side - RADIUS
    } else {
        return -RADIUS;
    };
    ((px - cx).powi(2) + (py - cy).powi(2)).sqrt() - RADIUS
}

/// Whether every pixel outside the rounded rectangle (beyond the tolerance) is transparent.
pub(crate) fn corners_transparent(img: &RgbaImage) -> bool {
    img.enumerate_pixels()
        .all(|(x, y, p)| beyond(x, y) <= TOLERANCE || p.0[3] <= MAX_ALPHA_OUTSIDE)
}

/// The rounded mask applied: alpha scaled by how much of each pixel lies inside.
pub(crate) fn apply_mask(img: &mut RgbaImage) {
    for (x, y, p) in img.enumerate_pixels_mut() {
        let cover = (0.5 - beyond(x, y)).clamp(0.0, 1.0);
        if cover < 1.0 {
            p.0[3] = (f32::from(p.0[3]) * cover).round() as u8;
        }
    }
}

/// An uploaded icon checked, or the message for the field. With `mask` the rounded mask
/// is applied instead of requiring transparent corners; the PNG to store is returned.
pub(crate) fn check(bytes: &[u8], mask: bool) -> Result<Vec<u8>, &'static str> {
    if bytes.is_empty() {
        return Err("quickdeploy.error.icon_missing");
    }
    if FileKind::sniff(bytes) != FileKind::Png {
        return Err("quickdeploy.error.icon_png");
    }
    let (w, h) = image::ImageReader::with_format(Cursor::new(bytes), ImageFormat::Png)
        .into_dimensions()
        .map_err(|_| "quickdeploy.error.icon_png")?;
    if (w, h) != (SIDE, SIDE) {
        return Err("quickdeploy.error.icon_size");
    }
    let mut img = image::load_from_memory_with_format(bytes, ImageFormat::Png)
        .map_err(|_| "quickdeploy.error.icon_png")?
        .to_rgba8();
    if mask {
        apply_mask(&mut img);
        return encode(&img).ok_or("quickdeploy.error.icon_png");
    }
    if !corners_transparent(&img) {
        return Err("quickdeploy.error.icon_corners");
    }
    Ok(bytes.to_vec())
}

fn encode(img: &RgbaImage) -> Option<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).ok()?;
    Some(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgba;

    fn png(img: &RgbaImage) -> Vec<u8> {
        encode(img).expect("png")
    }

    fn opaque(side: u32) -> RgbaImage {
        RgbaImage::from_pixel(side, side, Rgba([30, 90, 200, 255]))
    }

    fn rounded() -> RgbaImage {
        let mut img = opaque(SIDE);
        apply_mask(&mut img);
        img
    }

    #[test]
    fn a_rounded_png_of_120_pixels_is_accepted_as_it_is() {
        let bytes = png(&rounded());
        assert_eq!(check(&bytes, false), Ok(bytes.clone()));
    }

    #[test]
    fn square_corners_are_refused_unless_the_mask_is_asked_for() {
        let bytes = png(&opaque(SIDE));
        assert_eq!(check(&bytes, false), Err("quickdeploy.error.icon_corners"));
        let masked = check(&bytes, true).expect("masked");
        let img = image::load_from_memory(&masked)
            .expect("decodes")
            .to_rgba8();
        assert!(corners_transparent(&img));
        assert_eq!(img.get_pixel(0, 0).0[3], 0);
        assert_eq!(img.get_pixel(60, 60).0[3], 255);
        assert_eq!(img.get_pixel(60, 0).0[3], 255, "an edge's middle stays");
    }

    #[test]
    fn other_sizes_and_formats_are_refused() {
        assert_eq!(
            check(&png(&opaque(100)), true),
            Err("quickdeploy.error.icon_size")
        );
        let mut jpeg = Cursor::new(Vec::new());
        image::DynamicImage::ImageRgba8(opaque(SIDE))
            .to_rgb8()
            .write_to(&mut jpeg, ImageFormat::Jpeg)
            .expect("jpeg");
        assert_eq!(
            check(jpeg.get_ref(), true),
            Err("quickdeploy.error.icon_png")
        );
        assert_eq!(check(b"", false), Err("quickdeploy.error.icon_missing"));
        assert_eq!(
            check(b"\x89PNG\r\n\x1a\nnot really", false),
            Err("quickdeploy.error.icon_png")
        );
    }

    #[test]
    fn one_opaque_pixel_in_a_corner_is_enough_to_refuse() {
        let mut img = rounded();
        img.put_pixel(2, 2, Rgba([0, 0, 0, 255]));
        assert!(!corners_transparent(&img));
        // On the boundary, anti-aliasing is tolerated.
        let mut img = rounded();
        assert!(beyond(5, 6) > 0.0 && beyond(5, 6) <= TOLERANCE);
        img.put_pixel(5, 6, Rgba([0, 0, 0, 255]));
        assert!(corners_transparent(&img));
    }
}
