//! The form that creates an app or changes its name, icon and description. Browsers send
//! it as multipart (it may carry an icon image); a client without a file may send it
//! URL-encoded, so both are read into the same raw form.

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use serde::Deserialize;

use super::app::{App, parse_description, parse_name};
use super::forms::NAME_MAX;
use super::icon::{COLORS, GLYPHS, check_image, parse_color, parse_glyph};
use crate::error::{AppError, AppResult};
use crate::web::Errors;

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub(crate) struct AppForm {
    pub name: String,
    /// The glyph's name (`GLYPHS`).
    pub icon: String,
    /// The background colour's name (`COLORS`).
    pub color: String,
    pub description: String,
    /// Ticked to go back from the uploaded image to the glyph.
    pub remove_image: Option<String>,
}

/// What becomes of the uploaded icon image.
pub(crate) enum ImageChange {
    Keep,
    Remove,
    /// A new image, already checked, still to be stored.
    New(Vec<u8>),
}

pub(crate) struct AppInput {
    pub name: String,
    pub glyph: &'static str,
    pub color: &'static str,
    pub description: String,
    pub image: ImageChange,
}

impl AppForm {
    /// A new app's form: the first glyph on the first colour.
    pub(crate) fn blank() -> AppForm {
        AppForm {
            icon: GLYPHS[0].0.into(),
            color: COLORS[0].0.into(),
            ..AppForm::default()
        }
    }

    /// An app's current values, to edit.
    pub(crate) fn of(app: &App) -> AppForm {
        let icon = app.icon();
        AppForm {
            name: app.name.clone(),
            icon: icon.glyph.into(),
            color: icon.color.into(),
            description: app.description.clone(),
            remove_image: None,
        }
    }

    /// The checked values, or every field's error; `image` is the uploaded file, if any.
    pub(crate) fn parse(&self, image: Option<&[u8]>) -> Result<AppInput, Errors> {
        let mut e = Errors::default();
        let mut take = |field: &str, r: Result<(), &'static str>| {
            if let Err(k) = r {
                e.add(field, k);
            }
        };
        let name = parse_name(&self.name, NAME_MAX);
        take("name", name.as_ref().map(|_| ()).map_err(|k| *k));
        let glyph = parse_glyph(&self.icon);
        take("icon", glyph.map(|_| ()));
        let color = parse_color(&self.color);
        take("color", color.map(|_| ()));
        let description = parse_description(&self.description);
        take(
            "description",
            description.as_ref().map(|_| ()).map_err(|k| *k),
        );
        let change = match image {
            Some(bytes) => check_image(bytes).map(|_| ImageChange::New(bytes.to_vec())),
            None if self.remove_image.as_deref().is_some_and(|v| !v.is_empty()) => {
                Ok(ImageChange::Remove)
            }
            None => Ok(ImageChange::Keep),
        };
        take("image", change.as_ref().map(|_| ()).map_err(|k| *k));
        match (name, glyph, color, description, change) {
            (Ok(name), Ok(glyph), Ok(color), Ok(description), Ok(image)) => Ok(AppInput {
                name,
                glyph,
                color,
                description,
                image,
            }),
            _ => Err(e),
        }
    }
}

/// The app form as posted, multipart or URL-encoded, with its `image` file if one was
/// chosen (an empty file input is none).
pub(crate) struct AppBody {
    pub form: AppForm,
    pub image: Option<Vec<u8>>,
}

impl<S: Send + Sync> FromRequest<S> for AppBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> AppResult<AppBody> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("multipart/form-data"));
        if !multipart {
            let axum::Form(form) = axum::Form::<AppForm>::from_request(req, state)
                .await
                .map_err(|_| AppError::BadRequest("error.bad_request"))?;
            return Ok(AppBody { form, image: None });
        }
        let mut mp = Multipart::from_request(req, state)
            .await
            .map_err(|_| AppError::BadRequest("error.bad_request"))?;
        let mut body = AppBody {
            form: AppForm::default(),
            image: None,
        };
        while let Some(field) = mp
            .next_field()
            .await
            .map_err(|_| AppError::BadRequest("error.bad_request"))?
        {
            let name = field.name().unwrap_or_default().to_string();
            let is_file = field.file_name().is_some();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| AppError::BadRequest("error.bad_request"))?;
            if is_file {
                if name == "image" && !bytes.is_empty() {
                    body.image = Some(bytes.to_vec());
                }
                continue;
            }
            let text = crate::web::input::text_field(&bytes)?;
            let f = &mut body.form;
            match name.as_str() {
                "name" => f.name = text,
                "icon" => f.icon = text,
                "color" => f.color = text,
                "description" => f.description = text,
                "remove_image" => f.remove_image = Some(text),
                _ => {}
            }
        }
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_app_form_reports_every_bad_field() {
        let f = AppForm {
            name: " ".into(),
            icon: "x".into(),
            color: "gold".into(),
            description: "d".repeat(201),
            remove_image: None,
        };
        let e = f.parse(Some(b"not an image")).err().expect("invalid");
        assert_eq!(e.get("name"), Some("apps.error.name_required"));
        assert_eq!(e.get("icon"), Some("apps.error.icon"));
        assert_eq!(e.get("color"), Some("apps.error.color"));
        assert_eq!(e.get("image"), Some("apps.error.image_format"));
        assert_eq!(
            e.get("description"),
            Some("apps.error.description_too_long")
        );
    }

    #[test]
    fn a_blank_form_is_valid_once_named() {
        let f = AppForm {
            name: "采购".into(),
            ..AppForm::blank()
        };
        let ok = f.parse(None).expect("valid");
        assert_eq!((ok.glyph, ok.color), ("clipboard-list", "blue"));
        assert!(matches!(ok.image, ImageChange::Keep));
    }
}
