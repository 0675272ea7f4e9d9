//! Copying an app into another organisation (send app).
