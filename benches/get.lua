-- wrk script of the Fenfa benchmark (GET pages and login; post.lua adds 3xx counting).
--
-- Arguments (after `--`): mode [cookie] [extra]
--   get      cookie              GET the URL with the session cookie
--   login    login:password      POST /login (form), no cookie
--   purchase cookie  first:stride POST /d/buy-<k, 39 digits> with unique keys k (one link each);
--                                 stride is wrk's thread count
-- Every POST carries `Sec-Fetch-Site: same-origin`, as a browser submitting the portal's own
-- form does (the CSRF layer checks Fetch Metadata / Origin; there is no token field).
-- `done` prints one line: requests, duration, p50/p99 (µs), non-2xx/3xx, 3xx count.

local threads = {}
local counter = 1

function setup(thread)
  thread:set("tid", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  mode = args[1] or "get"
  cookie = args[2] or ""
  extra = args[3] or ""
  redirects = 0
  n = 0
  nthreads = #threads
  wrk.headers["Accept-Language"] = "zh-CN"
  if cookie ~= "" and mode ~= "login" then
    wrk.headers["Cookie"] = cookie
  end
  if mode == "login" then
    local login, password = extra:match("([^:]+):(.*)")
    wrk.method = "POST"
    wrk.path = "/login"
    wrk.body = "login=" .. login .. "&password=" .. password .. "&next=%2F"
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
    wrk.headers["Sec-Fetch-Site"] = "same-origin"
  elseif mode == "purchase" then
    local f, s = extra:match("(%d+):(%d+)")
    first = tonumber(f) or 0
    stride = tonumber(s) or 1
    wrk.method = "POST"
    wrk.body = ""
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
    wrk.headers["Sec-Fetch-Site"] = "same-origin"
  end
end

function request()
  if mode == "purchase" then
    -- Thread t takes keys first + t - 1, then every stride-th, so no two requests share a
    -- link and no key is skipped (the data set has a fixed number of links).
    local k = first + (tid - 1) + n * stride
    n = n + 1
    return wrk.format(nil, "/d/buy-" .. string.format("%039d", k))
  end
  return wrk.format(nil)
end

function done(summary, latency, requests)
  local r = 0
  for _, t in ipairs(threads) do
    r = r + (t:get("redirects") or 0)
  end
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d redirects=%d errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status, r,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
