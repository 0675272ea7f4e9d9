//! The provider distribution journey in a real browser, from the project to its closing,
//! with the refusals a person can meet and every page of it read again in English.
//! Ids the person would read off the page are read from the database; nothing is written
//! there but the demo data.

use crate::support::browser::Journey;
use crate::support::each_backend;
use crate::support::journey_distribution::journey;

#[tokio::test]
async fn a_provider_distributes_an_app_from_project_to_closing_in_a_browser() {
    each_backend(async |app| {
        let Some(j) = Journey::start(app, "provider_distribution").await else {
            return;
        };
        let result = journey(&j).await;
        j.finish(result).await;
    })
    .await;
}
