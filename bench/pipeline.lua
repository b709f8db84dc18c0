-- wrk script for bench/server-load.sh: every write carries DEPTH pipelined `GET /` requests
-- (default 16, env PIPELINE_DEPTH). wrk counts the requests in the string, so req/s and the
-- latencies are per response.
local depth = tonumber(os.getenv("PIPELINE_DEPTH") or "16")
local batch

init = function(args)
    local requests = {}
    for i = 1, depth do
        requests[i] = wrk.format("GET", "/")
    end
    batch = table.concat(requests)
end

request = function()
    return batch
end
