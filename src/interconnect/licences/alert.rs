//! The pool's use in words ("已使用 4/5 个名额（80%），另有 1 人待分配"), for the licence
//! page and for the 80/90/100 % alerts. An alert stores the message's key and figures, not
//! text, so that each reader reads it in their own language.

use crate::i18n::Lang;
use crate::interconnect::SeatUse;

/// The message key for this use and its figures.
fn words(u: &SeatUse) -> (&'static str, [(&'static str, String); 4]) {
    let over = u.used() - u.bought;
    let key = if over > 0 {
        "interconnect.licences.words.over"
    } else if over == 0 {
        "interconnect.licences.words.full"
    } else {
        "interconnect.licences.words.left"
    };
    (
        key,
        [
            ("used", u.used().to_string()),
            ("bought", u.bought.to_string()),
            ("percent", u.percent().to_string()),
            ("n", over.abs().to_string()),
        ],
    )
}

/// The sentence in `lang`.
pub(crate) fn text(lang: Lang, u: &SeatUse) -> String {
    let (key, args) = words(u);
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    lang.tf(key, &args)
}

/// The body of an alert notification: the key and its figures (see
/// [`crate::notifications::Notification::body_text`]).
pub(crate) fn body(u: &SeatUse) -> String {
    let (key, args) = words(u);
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    crate::notifications::keyed_body(key, &args)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(bought: i64, used: i64) -> SeatUse {
        SeatUse {
            bought,
            main_org: used,
            downstream: 0,
        }
    }

    #[test]
    fn the_pool_reads_in_words_in_both_languages() {
        assert_eq!(
            text(Lang::Zh, &at(5, 4)),
            "已使用 4/5 个名额（80%），另有 1 人待分配"
        );
        assert_eq!(
            text(Lang::En, &at(5, 4)),
            "4 of 5 seats used (80%); 1 more can be assigned"
        );
        assert_eq!(
            text(Lang::Zh, &at(5, 5)),
            "已使用 5/5 个名额（100%），名额已满"
        );
        assert_eq!(
            text(Lang::Zh, &at(5, 7)),
            "已使用 7/5 个名额（140%），超出 2 个名额"
        );
    }
}
