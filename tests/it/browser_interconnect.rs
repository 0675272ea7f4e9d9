//! The upstream/downstream interconnection journey in a real browser (issue 4 "Done when",
//! issue 5 section 1), with the demo organisations and nothing written directly:
//! create a space → invitation link → a downstream organisation applies with chosen
//! departments → approved → an app published downstream → a downstream member without a
//! seat is refused with the admins named → a seat is granted → the member submits and is
//! approved → upstream sees the data with the organisation column → the member is moved out
//! of the joined department and loses the app and the seat, is moved back and sees the app
//! again, and finally leaves the organisation and loses it again.
//! Every page of the journey is also read once in English with no untranslated key.

use crate::support::browser::Journey;
use crate::support::each_backend;
use crate::support::journey_interconnect::interconnect_journey;

#[tokio::test]
async fn a_downstream_member_joins_submits_is_approved_then_leaves_and_loses_app_and_seat_in_a_browser()
 {
    each_backend(async |app| {
        let Some(j) = Journey::start(app, "interconnect").await else {
            return;
        };
        let result = interconnect_journey(&j).await;
        j.finish(result).await;
    })
    .await;
}
