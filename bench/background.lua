-- background.lua - wrk script for bench/run's background load (the "hung database" target):
-- POSTs one AdmissionReview body and sorts every answer: denied as unreachable (what a schema
-- gate whose database never answers must say), or anything else. bench/run stops it with
-- SIGINT; done() then prints one JSON line: requests sent, answers by kind, latency, errors.
-- Usage: wrk ... -s bench/background.lua URL -- BODY_FILE

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   local f = assert(io.open(args[1], "rb"))
   wrk.method = "POST"
   wrk.body = f:read("*a")
   f:close()
   wrk.headers["Content-Type"] = "application/json"
   req = wrk.format()
   sent, unreachable, other, sample = 0, 0, 0, ""
end

function request()
   sent = sent + 1
   return req
end

function response(status, headers, body)
   if status == 200 and string.find(body, '"allowed":false', 1, true) and string.find(body, "unreachable", 1, true) then
      unreachable = unreachable + 1
   else
      other = other + 1
      if sample == "" then
         sample = string.format("HTTP %d %s", status, string.sub(body, 1, 300))
      end
   end
end

local function quote(s)
   return '"' .. string.gsub(s, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end) .. '"'
end

function done(summary, latency, requests)
   local n = {sent = 0, unreachable = 0, other = 0}
   local first = ""
   for _, t in ipairs(threads) do
      for k, _ in pairs(n) do n[k] = n[k] + t:get(k) end
      if first == "" then first = t:get("sample") end
   end
   -- wrk calls request() once before the load, to check the script (script_verify_request).
   n.sent = n.sent - 1
   local e = summary.errors
   io.write(string.format(
      'BENCH_BG {"sent":%d,"answers":%d,"unreachable":%d,"other":%d,"sample":%s,"duration_us":%d,' ..
      '"p50_us":%d,"p99_us":%d,"max_us":%d,"err_connect":%d,"err_read":%d,"err_write":%d,' ..
      '"err_status":%d,"err_timeout":%d}\n',
      n.sent, summary.requests, n.unreachable, n.other, quote(first), summary.duration,
      latency:percentile(50), latency:percentile(99), latency.max,
      e.connect, e.read, e.write, e.status, e.timeout))
end
