// Re-embed migrations, locales and templates when they change, and assemble the icon
// sprite from the vendored icons.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=src/locales");
    println!("cargo:rerun-if-changed=templates");
    println!("cargo:rerun-if-changed=static/vendor/icons");
    icon_sprite();
}

/// One SVG sprite (`/static/icons.svg`) with a `<symbol id="NAME">` per file of
/// `static/vendor/icons/NAME.svg`, the Lucide files exactly as npm ships them: a page draws
/// one with `<svg><use href="/static/icons.svg#NAME"/></svg>`, in the text's colour.
fn icon_sprite() {
    let dir = std::path::Path::new("static/vendor/icons");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("static/vendor/icons")
        .map(|e| e.expect("an icon file").path())
        .filter(|p| p.extension().is_some_and(|x| x == "svg"))
        .collect();
    files.sort();
    let mut sprite = String::from(
        "<svg xmlns=\"http://www.w3.org/2000/svg\">\n\
         <!-- Lucide icons (lucide-static on npm), ISC licence: static/vendor/icons/LICENSE -->\n",
    );
    for path in files {
        let name = path.file_stem().and_then(|s| s.to_str()).expect("a name");
        let text = std::fs::read_to_string(&path).expect("an icon");
        // The drawing is what lies between the `<svg …>` tag and `</svg>`.
        let open = text.find("<svg").expect("an <svg> tag");
        let start = open + text[open..].find('>').expect("the end of the <svg> tag") + 1;
        let end = text.rfind("</svg>").expect("</svg>");
        let body: String = text[start..end]
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        sprite.push_str(&format!(
            "<symbol id=\"{name}\" viewBox=\"0 0 24 24\" fill=\"none\" stroke=\"currentColor\" \
             stroke-width=\"2\" stroke-linecap=\"round\" stroke-linejoin=\"round\">{body}</symbol>\n"
        ));
    }
    sprite.push_str("</svg>\n");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(out.join("icons.svg"), sprite).expect("write the sprite");
}
