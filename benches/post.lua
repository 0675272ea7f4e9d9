-- wrk script of the Fenfa benchmark for POSTs whose 3xx answers are counted (purchases):
-- get.lua (same arguments) plus a `response` callback, kept out of get.lua because a Lua
-- callback per response slows the load generator on the GET pages.

local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./"
dofile(here .. "get.lua")

function response(status, headers, body)
  if status >= 300 and status < 400 then
    redirects = redirects + 1
  end
end
