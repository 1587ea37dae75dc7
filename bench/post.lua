-- wrk script for `make bench`: POST /predict with the same small JSON body
-- as cicada's [task predict] in bench/run.sh.
wrk.method = "POST"
wrk.path = "/predict"
wrk.body = '{"inputs": [1.0, 2.0, 3.0]}'
wrk.headers["Content-Type"] = "application/json"
