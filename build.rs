// Re-embed migrations, locales and templates when they change.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=src/locales");
    println!("cargo:rerun-if-changed=templates");
}
