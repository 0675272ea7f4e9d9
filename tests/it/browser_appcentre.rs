//! The app centre's whole pipeline in a real browser, with the demo data: the operator
//! invites the second provider, which onboards as a seller and takes a product of its own
//! through acceptance; the demo provider's pre-listed product, its co-creation passed, goes
//! through the access and sales reviews into a grey release for one customer, whose people
//! install, use and rate it; the final review opens it, and another organisation's admin
//! installs it for a department whose member then has it on the workbench. The refusals
//! on the way are met in the pages. The database is written only to move the clock (the
//! grey week backdated) and to record the rest of that week's use.

use diesel::prelude::*;
use fenfa::db::schema::ac_editions;

use crate::support::appcentre::{grey_week_over, org_id, use_recorded};
use crate::support::browser::{Journey, Step};
use crate::support::each_backend;
use crate::support::permissions::id_of_user;

/// The demo provider's pre-listed product, and the second provider's new one.
const LISTED: &str = "设备巡检助手";
const NEW: &str = "访客登记助手";
const REVIEWS: &str = "/operator/app-centre/reviews";

fn e<T: std::fmt::Display>(what: &str) -> impl FnOnce(T) -> String + '_ {
    move |err| format!("{what}: {err}")
}

fn db<T>(j: &Journey, f: impl FnOnce(&mut fenfa::db::Conn) -> QueryResult<T>) -> Step<T> {
    f(&mut j.app().conn()).map_err(e("database"))
}

fn link(text: &str) -> String {
    format!("//a[normalize-space(.)='{text}']")
}

fn button(text: &str) -> String {
    format!("//button[normalize-space(.)='{text}']")
}

/// The link to `product` in the row of the review queue waiting for the review `kind`.
fn queued(kind: &str, product: &str) -> String {
    format!("//tr[contains(., '{kind}')]//a[normalize-space(.)='{product}']")
}

async fn as_user(j: &Journey, login: &str, path: &str) -> Step<()> {
    j.login(login).await?;
    j.goto(path).await
}

/// Step 1: Invitation and onboarding of the second provider, with the refusals.
async fn onboarding(j: &Journey) -> Step<()> {
    // Not invited: the app centre is by invitation.
    as_user(j, "provider2.admin", "/provider/app-centre").await?;
    j.sees("贵司尚未收到邀请").await?;
    j.logout().await?;

    as_user(j, "operator", "/operator/app-centre").await?;
    let row = "//tr[contains(., '启明软件服务商')]";
    j.type_into(&format!("{row}//input[@name='note']"), "欢迎上架访客类应用")
        .await?;
    j.press(&format!("{row}//button")).await?;
    j.sees("已邀请该服务商入驻应用中心").await?;
    j.logout().await?;

    // The invitation reaches the provider's admin, who applies.
    as_user(j, "provider2.admin", "/notifications").await?;
    j.press(&link("应用中心邀请你入驻")).await?;
    j.sees("入驻云市场服务商后才能创建应用中心商品").await?;
    j.fill("联系人", "何启明").await?;
    // The phone left empty: the browser holds the form back at the field.
    j.click("//form[@action='/provider/app-centre/seller']//button")
        .await?;
    let held = j
        .script("return document.getElementById('f-contact_phone').validity.valueMissing;")
        .await?;
    if held != serde_json::Value::Bool(true) {
        return Err("an empty phone was not held back".into());
    }
    // An introduction too short: the server's refusal beside it, the rest kept.
    j.fill("联系电话", "0571-86669999").await?;
    j.fill("服务商介绍", "访客系统").await?;
    j.press("//form[@action='/provider/app-centre/seller']//button")
        .await?;
    j.find("//small[@id='e-intro'][contains(., '服务商介绍须为 10–500 个字符')]")
        .await?;
    let kept = j.value_of("//input[@id='f-contact_phone']").await?;
    if kept != "0571-86669999" || j.value_of("//input[@id='f-contact_name']").await? != "何启明"
    {
        return Err(format!("typed values lost: {kept:?}"));
    }
    j.fill("服务商介绍", "专注园区与写字楼访客管理的低代码服务商。")
        .await?;
    j.press("//form[@action='/provider/app-centre/seller']//button")
        .await?;
    j.sees("入驻申请已提交").await?;
    j.logout().await?;

    // The operator approves with the agreement and the deposit (first forgotten).
    as_user(j, "operator", "/operator/app-centre").await?;
    j.type_into(
        &format!("{row}//input[@name='agreement_no']"),
        "QM-2026-0002",
    )
    .await?;
    j.press(&format!("{row}//button[@value='approve']")).await?;
    j.find(&format!(
        "{row}//small[contains(., '请填写已缴纳的保证金金额')]"
    ))
    .await?;
    j.type_into(&format!("{row}//input[@name='deposit']"), "5000")
        .await?;
    j.press(&format!("{row}//button[@value='approve']")).await?;
    j.sees("服务商入驻已通过").await?;
    j.logout().await
}

/// Step 2: The second provider's product, from its own app through acceptance (failed once).
async fn acceptance(j: &Journey, shot: &str) -> Step<()> {
    as_user(j, "provider2.admin", "/provider/app-centre").await?;
    j.press(&format!("({})[1]", link("新建商品"))).await?;
    j.click("//select[@name='app_id']/option[normalize-space(.)='访客登记']")
        .await?;
    j.fill("商品名称", NEW).await?;
    j.fill("商品描述", "访客来访登记、到访提醒与来访记录查询。")
        .await?;
    j.click("//select[@name='category']/option[@value='office']")
        .await?;
    j.fill("服务商主页", "https://isv.qiming.example.com/")
        .await?;
    j.click("//label[contains(., '读取通讯录')]/input").await?;
    j.fill("存储的数据", "访客姓名、来访日期与事由").await?;
    for (field, value) in [("name", "免费版"), ("price", "0"), ("seats", "100")] {
        j.type_into(&format!("//input[@name='edition_{field}_0']"), value)
            .await?;
    }
    j.press("//form[@action='/provider/app-centre/products']//button[@type='submit']")
        .await?;
    j.sees("商品已保存为草稿").await?;
    upload(j, shot).await?;
    j.press(&button("提交验收")).await?;
    j.sees("商品代码已分配").await?;
    let code = j
        .find("//dt[normalize-space(.)='商品代码']/following-sibling::dd[1]")
        .await?
        .text()
        .await
        .map_err(e("code"))?;
    let code = code.trim();
    if code.len() != 10
        || !code.starts_with("cmd")
        || !code[3..].bytes().all(|b| b.is_ascii_digit())
    {
        return Err(format!("product code {code:?}"));
    }
    j.logout().await?;

    // One item unticked: approving is refused beside the checklist, so the operator
    // rejects with the item recorded and a reason.
    as_user(j, "operator", REVIEWS).await?;
    j.press(&queued("验收", NEW)).await?;
    j.sees("首次提交").await?;
    for item in [
        "opens",
        "no_errors",
        "permissions_match",
        "no_banned_words",
        "homepage_answers",
    ] {
        j.click(&format!("//input[@name='item' and @value='{item}']"))
            .await?;
    }
    j.press("//button[@value='approve']").await?;
    j.sees("验收清单的每一项都通过才能验收通过").await?;
    j.fill(
        "驳回原因与需要的修改",
        "截图与应用不一致，请上传来访登记页。",
    )
    .await?;
    j.press("//button[@value='reject']").await?;
    j.sees("已驳回，服务商会看到原因").await?;
    j.logout().await?;

    // The provider reads which item failed and why, edits and submits again.
    as_user(j, "provider2.admin", "/provider/app-centre").await?;
    j.sees("验收不通过").await?;
    j.press(&link(NEW)).await?;
    j.sees("未通过的项: 截图与应用一致").await?;
    j.sees("请上传来访登记页").await?;
    j.press(&link("编辑商品")).await?;
    j.fill(
        "商品描述",
        "访客来访登记、到访提醒与来访记录查询，支持前台代登记。",
    )
    .await?;
    j.press("//form[contains(@action, '/edit')]//button[@type='submit']")
        .await?;
    j.sees("已保存").await?;
    upload(j, shot).await?;
    j.press(&button("提交验收")).await?;
    j.logout().await?;

    // The operator sees what changed and accepts: 预上架.
    as_user(j, "operator", REVIEWS).await?;
    j.press(&queued("验收", NEW)).await?;
    j.find("//dt[normalize-space(.)='与上次提交相比的修改']/following-sibling::dd[1][contains(., '商品描述') and contains(., '截图')]")
        .await?;
    for item in [
        "opens",
        "no_errors",
        "permissions_match",
        "screenshots_match",
        "no_banned_words",
        "homepage_answers",
    ] {
        j.click(&format!("//input[@name='item' and @value='{item}']"))
            .await?;
    }
    j.press("//button[@value='approve']").await?;
    j.sees("已通过").await?;
    j.logout().await?;
    as_user(j, "provider2.admin", "/provider/app-centre").await?;
    j.find(&format!(
        "//tr[contains(., '{NEW}')][contains(., '预上架')]"
    ))
    .await?;
    j.logout().await
}

async fn upload(j: &Journey, shot: &str) -> Step<()> {
    j.find("//input[@id='f-screenshot']")
        .await?
        .send_keys(shot)
        .await
        .map_err(e("choose the screenshot"))?;
    j.press("//form[@enctype='multipart/form-data']//button")
        .await
}

/// Step 3: The pre-listed product through the access review (rejected once) and the sales
/// review, into its grey release.
async fn reviews(j: &Journey) -> Step<()> {
    let reason = "请补充巡检报表的导出说明";
    as_user(j, "provider.admin", "/provider/app-centre").await?;
    j.press(&link(LISTED)).await?;
    j.press(&link("共创与灰度数据")).await?;
    j.sees("全部指标达标").await?;
    j.press(&button("提交商品审核")).await?;
    j.sees("已提交商品接入审核").await?;
    j.logout().await?;

    as_user(j, "operator", REVIEWS).await?;
    j.press(&queued("商品接入审核", LISTED)).await?;
    // The co-creation's survey answers are beside the decision.
    j.sees("巡检报表很实用").await?;
    j.fill("驳回原因与需要的修改", reason).await?;
    j.press("//button[@value='reject']").await?;
    j.logout().await?;

    as_user(j, "provider.admin", "/provider/app-centre").await?;
    j.find(&format!(
        "//tr[contains(., '{LISTED}')][contains(., '接入审核驳回')][contains(., '{reason}')]"
    ))
    .await?;
    j.press(&link(LISTED)).await?;
    j.sees("商品接入审核 · 第 1 次提交 · 驳回").await?;
    j.press(&button("重新提交审核")).await?;
    j.sees("已重新提交审核").await?;
    j.logout().await?;

    as_user(j, "operator", REVIEWS).await?;
    j.press(&queued("商品接入审核", LISTED)).await?;
    j.press("//button[@value='approve']").await?;
    j.press(&queued("商品售卖信息审核", LISTED)).await?;
    j.press("//button[@value='approve']").await?;
    j.sees("已通过").await?;
    // Listed in grey: the queue page leads on to its release.
    j.find(&format!(
        "//section[@id='releases']//tr[contains(., '{LISTED}')][contains(., '已上架 · 灰度')]"
    ))
    .await?;
    j.logout().await
}

/// The release's page, from the operator's queue.
async fn release_page(j: &Journey) -> Step<()> {
    as_user(j, "operator", REVIEWS).await?;
    j.press(&format!("//section[@id='releases']{}", link(LISTED)))
        .await
}

/// Step 4: The grey week for one customer: the cohort, an outsider who does not see it, the
/// install, a member's use, the week's other days, the survey.
async fn grey(j: &Journey) -> Step<()> {
    release_page(j).await?;
    j.fill("按名单（CorpID，每行一个）", "dingcustomer01")
        .await?;
    j.press("//form[.//input[@name='by' and @value='list']]//button")
        .await?;
    j.sees("已加入灰度企业").await?;
    j.find("//h3[@id='cohort']/following::table[1]//td[normalize-space(.)='星河制造有限公司']")
        .await?;
    j.press(&button("开始灰度（7 天）")).await?;
    j.sees("灰度已开始").await?;
    j.logout().await?;

    // Outside the cohort, the app centre does not show it.
    as_user(j, "enterprise.admin", "/app-centre").await?;
    j.sees("没有符合条件的应用").await?;
    j.logout().await?;

    // The cohort's admin installs the free edition and opens it to everyone.
    as_user(j, "customer.admin", "/app-centre").await?;
    install(j).await?;
    j.click("//input[@name='scope_kind' and @value='all']")
        .await?;
    j.press("//form[contains(@action, '/scope')]//button[@type='submit']")
        .await?;
    j.sees("使用范围已保存").await?;
    j.logout().await?;

    // A member opens the app: the use is recorded (off the request path).
    as_user(j, "customer.member", "/workbench").await?;
    let copy = open_from_workbench(j).await?;
    let (customer, member) = (
        org_id(j.app(), "dingcustomer01"),
        id_of_user(j.app(), "customer.member"),
    );
    use_recorded(j.app(), copy, member).await?;
    j.logout().await?;
    // Eight days later: the member used it every day of the week, the admin on three.
    let admin = id_of_user(j.app(), "customer.admin");
    let more: Vec<(i64, i64)> = (1..7)
        .map(|d| (member, d))
        .chain([0, 2, 4].map(|d| (admin, d)))
        .collect();
    grey_week_over(j.app(), LISTED, copy, customer, &more)?;

    // The operator sends the survey; both people of the cohort answer it.
    release_page(j).await?;
    j.press(&button("向安装企业的用户发送问卷")).await?;
    j.sees("满意度问卷已发送").await?;
    j.logout().await?;
    for (login, score) in [("customer.member", "90"), ("customer.admin", "85")] {
        as_user(j, login, "/notifications").await?;
        j.press("//a[contains(@href, '/app-centre/surveys/')]")
            .await?;
        if login == "customer.member" {
            j.fill("评分（0–100）", "120").await?;
            j.press("//form[contains(@action, '/app-centre/surveys/')]//button")
                .await?;
            j.find("//small[@id='e-score'][contains(., '请填写 0–100 的整数评分')]")
                .await?;
        }
        j.fill("评分（0–100）", score).await?;
        j.fill("意见（可选）", "巡检记录很方便").await?;
        j.press("//form[contains(@action, '/app-centre/surveys/')]//button")
            .await?;
        j.sees("感谢你的评分").await?;
        j.logout().await?;
    }
    Ok(())
}

/// On the product's page in the app centre, installs its free edition (基础版).
async fn install(j: &Journey) -> Step<()> {
    j.press(&link(LISTED)).await?;
    j.press(&format!(
        "//tr[contains(., '基础版')]{}",
        button("授权安装")
    ))
    .await?;
    j.sees("已安装。请设置哪些成员可以使用该应用").await
}

/// Opens the installed copy (采购管理, the source app's name) from the workbench; its id.
async fn open_from_workbench(j: &Journey) -> Step<i64> {
    j.press("//article[contains(., '采购管理')]//a[starts-with(@href, '/a/')]")
        .await?;
    j.find("//h1[contains(normalize-space(.), '采购管理')]")
        .await?;
    let url = j.browser().current_url().await.map_err(e("url"))?;
    url.path()
        .trim_start_matches("/a/")
        .parse()
        .map_err(e("app id"))
}

/// Step 5: The provider applies for the final review; the operator opens the product.
async fn final_review(j: &Journey) -> Step<()> {
    as_user(j, "provider.admin", "/provider/app-centre").await?;
    j.press(&link(LISTED)).await?;
    j.press(&link("共创与灰度数据")).await?;
    j.sees("灰度期").await?;
    j.sees("全部指标达标").await?;
    j.press(&button("申请审核通过")).await?;
    j.sees("已申请审核通过").await?;
    j.logout().await?;

    as_user(j, "operator", REVIEWS).await?;
    j.press(&queued("开放审核", LISTED)).await?;
    j.sees("100.0%").await?;
    j.press("//button[@value='approve']").await?;
    j.sees("已通过").await?;
    j.logout().await?;
    as_user(j, "provider.admin", "/provider/app-centre").await?;
    j.find(&format!(
        "//tr[contains(., '{LISTED}')][contains(., '已开放')]"
    ))
    .await?;
    j.logout().await
}

/// Step 6: Open: another organisation finds it; its member may not install, its admin does,
/// for the sales department, whose member has it on the workbench.
async fn open(j: &Journey) -> Step<()> {
    as_user(j, "enterprise.member", "/app-centre").await?;
    j.press(&link(LISTED)).await?;
    j.sees("只有组织的主管理员或平台管理员可以授权安装应用")
        .await?;
    let buttons = j
        .browser()
        .find_all(fantoccini::Locator::XPath(&button("授权安装")))
        .await
        .map_err(e("install buttons"))?;
    if !buttons.is_empty() {
        return Err("a member is offered the install".into());
    }
    let paid: i64 = db(j, |c| {
        ac_editions::table
            .filter(ac_editions::name.eq("专业版"))
            .select(ac_editions::id)
            .first(c)
    })?;
    let url = j.browser().current_url().await.map_err(e("url"))?;
    j.goto(&format!("{}/install?edition={paid}", url.path()))
        .await?;
    j.sees("只有组织的主管理员或平台管理员可以执行此操作")
        .await?;
    j.logout().await?;

    as_user(j, "enterprise.admin", "/app-centre").await?;
    install(j).await?;
    j.click("//input[@name='scope_kind' and @value='departments']")
        .await?;
    let folded = j
        .find("//details[.//input[@name='department']]")
        .await?
        .attr("open")
        .await
        .map_err(e("details"))?
        .is_none();
    if folded {
        j.click("//details[.//input[@name='department']]/summary")
            .await?;
    }
    j.click("//label[contains(normalize-space(.), '销售部')]/input[@name='department']")
        .await?;
    j.press("//form[contains(@action, '/scope')]//button[@type='submit']")
        .await?;
    j.sees("使用范围已保存").await?;
    j.logout().await?;

    as_user(j, "enterprise.member", "/workbench").await?;
    j.sees("采购管理").await?;
    open_from_workbench(j).await?;
    j.logout().await
}

async fn journey(j: &Journey) -> Step<()> {
    let shot = std::env::temp_dir().join(format!("fenfa-ac-shot-{}.png", std::process::id()));
    std::fs::write(&shot, crate::support::apps::png()).map_err(e("screenshot"))?;
    onboarding(j).await?;
    acceptance(j, &shot.to_string_lossy()).await?;
    reviews(j).await?;
    grey(j).await?;
    final_review(j).await?;
    open(j).await
}

#[tokio::test]
async fn a_product_goes_from_invitation_to_an_open_listing_installed_by_another_organisation_in_a_browser()
 {
    each_backend(async |app| {
        let Some(j) = Journey::start(app, "app_centre").await else {
            return;
        };
        let result = journey(&j).await;
        j.finish(result).await;
    })
    .await;
}
