-- The app centre (应用中心, seed 002 step 4.1): invited providers, once onboarded as
-- sellers, turn one of their apps into a product that goes through acceptance,
-- co-creation, a two-stage review and a grey release before it opens to everyone.

-- 邀请入驻: the app centre takes providers by the operator's invitation only.
CREATE TABLE ac_invitations (
  provider_org_id BIGINT PRIMARY KEY REFERENCES orgs (id),
  note TEXT NOT NULL,
  invited_by BIGINT NOT NULL REFERENCES users (id),
  invited_at BIGINT NOT NULL
);

-- 入驻云市场服务商: one application per provider; a rejected one is applied for again.
CREATE TABLE ac_sellers (
  provider_org_id BIGINT PRIMARY KEY REFERENCES orgs (id),
  contact_name TEXT NOT NULL,
  contact_phone TEXT NOT NULL,
  intro TEXT NOT NULL,
  status TEXT NOT NULL,
  agreement_no TEXT NOT NULL DEFAULT '',
  deposit_fen BIGINT NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '',
  applied_by BIGINT NOT NULL REFERENCES users (id),
  applied_at BIGINT NOT NULL,
  decided_by BIGINT REFERENCES users (id),
  decided_at BIGINT
);
CREATE INDEX ac_sellers_status ON ac_sellers (status, applied_at);

-- 应用中心商品. The code (cmd + 7 digits) is assigned on the first submission.
CREATE TABLE ac_products (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  provider_org_id BIGINT NOT NULL REFERENCES orgs (id),
  app_id BIGINT NOT NULL REFERENCES apps (id),
  code TEXT UNIQUE,
  stage TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  category TEXT NOT NULL,
  homepage_url TEXT NOT NULL,
  permissions TEXT NOT NULL,
  data_stored TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  paused BOOLEAN NOT NULL DEFAULT FALSE,
  version INTEGER NOT NULL DEFAULT 0,
  cocreation_started_at BIGINT,
  grey_started_at BIGINT,
  quality INTEGER NOT NULL DEFAULT 100,
  created_by BIGINT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX ac_products_provider ON ac_products (provider_org_id, id);
CREATE INDEX ac_products_stage ON ac_products (stage, id);
-- The listing ranks open products by grade, then newest first.
CREATE INDEX ac_products_listing ON ac_products (stage, category, quality, id);

-- Sales information: editions with a price (0 = free) and seats.
CREATE TABLE ac_editions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  product_id BIGINT NOT NULL REFERENCES ac_products (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  price_fen BIGINT NOT NULL,
  seats INTEGER NOT NULL,
  position INTEGER NOT NULL
);
CREATE INDEX ac_editions_product ON ac_editions (product_id, position);

CREATE TABLE ac_screenshots (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  product_id BIGINT NOT NULL REFERENCES ac_products (id) ON DELETE CASCADE,
  file_key TEXT NOT NULL,
  content_type TEXT NOT NULL,
  position INTEGER NOT NULL
);
CREATE INDEX ac_screenshots_product ON ac_screenshots (product_id, position);

-- Acceptance (验收), access (接入), sales (售卖) and final (开放) reviews: each submission
-- with the product as submitted (JSON), and its decision. One open review per product.
CREATE TABLE ac_reviews (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  product_id BIGINT NOT NULL REFERENCES ac_products (id),
  stage TEXT NOT NULL,
  version INTEGER NOT NULL,
  snapshot TEXT NOT NULL,
  submitted_by BIGINT NOT NULL REFERENCES users (id),
  submitted_at BIGINT NOT NULL,
  decided_by BIGINT REFERENCES users (id),
  decided_at BIGINT,
  passed BOOLEAN,
  failed_items TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ac_reviews_product ON ac_reviews (product_id, id);
CREATE INDEX ac_reviews_queue ON ac_reviews (stage, submitted_at) WHERE decided_at IS NULL;
CREATE UNIQUE INDEX ac_reviews_open ON ac_reviews (product_id) WHERE decided_at IS NULL;

-- 共创: the organisations a provider invited to a pre-listed product.
CREATE TABLE ac_cocreators (
  product_id BIGINT NOT NULL REFERENCES ac_products (id),
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  active BOOLEAN NOT NULL,
  invited_at BIGINT NOT NULL,
  PRIMARY KEY (product_id, org_id)
);

-- 灰度: the cohort the operator chose.
CREATE TABLE ac_cohort (
  product_id BIGINT NOT NULL REFERENCES ac_products (id),
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  PRIMARY KEY (product_id, org_id)
);

-- Grey thresholds the operator adjusted for one product (可根据应用类型进行协商调整).
CREATE TABLE ac_thresholds (
  product_id BIGINT PRIMARY KEY REFERENCES ac_products (id),
  active_permille INTEGER NOT NULL,
  dau_wau_permille INTEGER NOT NULL,
  satisfaction INTEGER NOT NULL,
  quality INTEGER NOT NULL,
  reason TEXT NOT NULL,
  set_by BIGINT NOT NULL REFERENCES users (id),
  set_at BIGINT NOT NULL
);

-- Installs (授权) into organisations, with the phase they came through. One live install
-- per product and organisation.
CREATE TABLE ac_installs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  product_id BIGINT NOT NULL REFERENCES ac_products (id),
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  app_id BIGINT REFERENCES apps (id) ON DELETE SET NULL,
  phase TEXT NOT NULL,
  edition_id BIGINT REFERENCES ac_editions (id),
  version INTEGER NOT NULL,
  order_id BIGINT,
  installed_by BIGINT NOT NULL REFERENCES users (id),
  installed_at BIGINT NOT NULL,
  uninstalled_at BIGINT
);
CREATE INDEX ac_installs_product ON ac_installs (product_id, phase, installed_at);
CREATE INDEX ac_installs_org ON ac_installs (org_id, id);
CREATE UNIQUE INDEX ac_installs_live ON ac_installs (product_id, org_id) WHERE uninstalled_at IS NULL;

-- Purchases of paid editions: exactly one per product, organisation and install round.
CREATE TABLE ac_orders (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  order_no TEXT NOT NULL UNIQUE,
  product_id BIGINT NOT NULL REFERENCES ac_products (id),
  edition_id BIGINT NOT NULL REFERENCES ac_editions (id),
  provider_org_id BIGINT NOT NULL REFERENCES orgs (id),
  customer_org_id BIGINT NOT NULL REFERENCES orgs (id),
  round INTEGER NOT NULL,
  price_fen BIGINT NOT NULL,
  purchaser_id BIGINT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL,
  UNIQUE (product_id, customer_org_id, round)
);
CREATE INDEX ac_orders_provider ON ac_orders (provider_org_id, id);

-- The satisfaction survey (满意度调查) the operator sends, and its answers (0–100).
CREATE TABLE ac_surveys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  product_id BIGINT NOT NULL REFERENCES ac_products (id),
  phase TEXT NOT NULL,
  sent_by BIGINT NOT NULL REFERENCES users (id),
  sent_at BIGINT NOT NULL
);
CREATE INDEX ac_surveys_product ON ac_surveys (product_id, phase);
CREATE TABLE ac_answers (
  survey_id BIGINT NOT NULL REFERENCES ac_surveys (id),
  user_id BIGINT NOT NULL REFERENCES users (id),
  org_id BIGINT NOT NULL REFERENCES orgs (id),
  score INTEGER NOT NULL,
  comment TEXT NOT NULL,
  answered_at BIGINT NOT NULL,
  PRIMARY KEY (survey_id, user_id)
);

-- Bugs the operator records against a product, by severity.
CREATE TABLE ac_bugs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  product_id BIGINT NOT NULL REFERENCES ac_products (id),
  phase TEXT NOT NULL,
  severity TEXT NOT NULL,
  title TEXT NOT NULL,
  recorded_by BIGINT NOT NULL REFERENCES users (id),
  recorded_at BIGINT NOT NULL
);
CREATE INDEX ac_bugs_product ON ac_bugs (product_id, id);

-- Server errors answered on an app's pages, counted per app and day (China Standard Time).
CREATE TABLE app_errors (
  app_id BIGINT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  day BIGINT NOT NULL,
  count BIGINT NOT NULL,
  PRIMARY KEY (app_id, day)
);
