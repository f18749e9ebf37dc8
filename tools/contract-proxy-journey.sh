#!/usr/bin/env bash
# A full customer journey (sign-up and confirmation, refused sign-ins, adverse action and approval, card, purchase,
# idempotent replay and key reuse, decline, capture, refund, void, operator reads, statement after QA's clock moves,
# refresh, logout) through Stoplight Prism validating proxies in front of a running stack, to see whether the API's and
# simcontrol's committed documents agree with what the services do, in both directions. Prints each answer's status;
# Prism logs every violation it sees ("Violation: ..." in its output).
#
# Usage, with the stack running in Development with TestClock__Enabled=true and Email__SinkDirectory=<dir> exported
# to the AppHost, and two proxies started from the repository root:
#   npx @stoplight/prism-cli@5 proxy openapi/api.json http://localhost:<api port> -p 6151
#   npx @stoplight/prism-cli@5 proxy openapi/simcontrol.json http://localhost:<simcontrol port> -p 6161
#   tools/contract-proxy-journey.sh <e-mail sink dir> <operator password> <processor api key>
# (the password and key are the AppHost's generated parameters: dotnet user-secrets list --project Platform.AppHost).
set -u
API=${CONTRACT_API_PROXY:-http://127.0.0.1:6151}; SIM=${CONTRACT_SIM_PROXY:-http://127.0.0.1:6161}; EMAILS=$1; OPERATOR_PASSWORD=$2; SIM_KEY=$3
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
j() { jq -r "$1"; }
call() { # method path [body] [extra curl args...] -> prints status, body in $WORK/last
  local m=$1 p=$2 b=${3:-}; shift 3 2>/dev/null || shift $#
  if [ -n "$b" ]; then code=$(curl -s -o $WORK/last -w "%{http_code}" -X $m "$API$p" -H 'Content-Type: application/json' -d "$b" "$@")
  else code=$(curl -s -o $WORK/last -w "%{http_code}" -X $m "$API$p" "$@"); fi
  echo "$code $m $p"; }
sim() { local m=$1 p=$2 b=${3:-}; code=$(curl -s -o $WORK/last -w "%{http_code}" -X $m "$SIM$p" -H "X-Api-Key: $SIM_KEY" -H 'Content-Type: application/json' ${b:+-d "$b"}); echo "$code SIM $m $p"; }
idem() { echo "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid)"; }
poll() { for i in $(seq 1 150); do eval "$1" >/dev/null; if jq -e "$2" $WORK/last >/dev/null 2>&1; then return 0; fi; sleep 0.2; done; echo "TIMEOUT $2"; }

sim PUT /sim/v1/processor/settings '{"approvalRate":1.0,"partialApprovalRate":0.0,"errorRate":0.0,"timeoutRate":0.0,"latencyMs":{"min":0,"median":0,"p99":0},"webhookDelayMs":0}'
EMAIL="prism-$(date +%s%N)@example.com"; PW="Prism-Journey-Passw0rd"
call POST /v1/auth/register "{\"email\":\"$EMAIL\",\"password\":\"$PW\"}"
call POST /v1/auth/login "{\"email\":\"$EMAIL\",\"password\":\"$PW\"}"           # unconfirmed: 401
for i in $(seq 1 100); do F=$(grep -l "\"$EMAIL\"" $EMAILS/*/message.json 2>/dev/null | xargs -r grep -l '"verification"' | head -1); [ -n "$F" ] && break; sleep 0.2; done
LINK=$(grep -oE "https?://[^ ]*confirmEmail[^ <\"]*" $(dirname $F)/body.txt | head -1); PQ=/${LINK#*://*/}
call GET "$PQ"
call POST /v1/auth/login "{\"email\":\"$EMAIL\",\"password\":\"wrong-password-123\"}"  # 401
call POST /v1/auth/login "{\"email\":\"$EMAIL\",\"password\":\"$PW\"}"; TOKEN=$(j .accessToken < $WORK/last); REFRESH=$(j .refreshToken < $WORK/last)
A="Authorization: Bearer $TOKEN"
call GET /v1/me "" -H "$A"; ME=$(j .userId < $WORK/last)
call GET /v1/auth/manage/info "" -H "$A"
call POST /v1/auth/resendConfirmationEmail "{\"email\":\"$EMAIL\"}"
call POST /v1/auth/forgotPassword "{\"email\":\"nobody-$RANDOM@example.com\"}"
# Adverse action: a declined application with reasons, and a prequalification.
SSN_LOW=$(printf "%03d%02d%04d" $((RANDOM%500+100)) $((RANDOM%98+1)) $((RANDOM%9000+1000)))
SSN_OK=$(printf "%03d%02d%04d" $((RANDOM%500+100)) $((RANDOM%98+1)) $((RANDOM%9000+1000)))
sim PUT /sim/v1/bureau/applicants "{\"ssn\":\"$SSN_LOW\",\"score\":540}"
sim PUT /sim/v1/bureau/applicants "{\"ssn\":\"$SSN_OK\",\"score\":790}"
APP='{"firstName":"Prism","lastName":"Journey","dateOfBirth":"1984-03-09","ssn":"SSN","address":{"line1":"1 Proxy Road","city":"Springfield","state":"IL","postalCode":"62701"},"email":"EMAIL","phone":"+15555550123","annualIncome":9500000,"monthlyHousingCost":150000,"currency":"USD"}'
PRE='{"firstName":"Prism","lastName":"Journey","dateOfBirth":"1984-03-09","ssn":"SSN","address":{"line1":"1 Proxy Road","city":"Springfield","state":"IL","postalCode":"62701"},"annualIncome":9500000,"monthlyHousingCost":150000,"currency":"USD"}'
call POST /v1/prequalifications "${PRE/SSN/$SSN_LOW}" -H "$A"; echo "   prequalification: $(j .outcome < $WORK/last)"
call POST /v1/applications "$(echo "$APP" | sed "s/SSN/$SSN_LOW/;s/EMAIL/$EMAIL/")" -H "$A"; DECLINED=$(j .id < $WORK/last)
poll "call GET /v1/applications/$DECLINED '' -H '$A'" '.nextAttemptAt == null and .decision != null'; echo "   adverse action: $(jq -c '[.status, [.decision.reasons[].code]]' $WORK/last)"
call POST /v1/prequalifications "${PRE/SSN/$SSN_OK}" -H "$A"; echo "   prequalification: $(j .outcome < $WORK/last)"
call POST /v1/applications "$(echo "$APP" | sed "s/SSN/$SSN_OK/;s/EMAIL/$EMAIL/")" -H "$A"; APPROVED=$(j .id < $WORK/last)
poll "call GET /v1/applications/$APPROVED '' -H '$A'" '.cardId != null and .nextAttemptAt == null'; echo "   application: $(jq -c '[.status, .accountId, .cardId]' $WORK/last)"
ACCOUNT=$(j .accountId < $WORK/last); CARD=$(j .cardId < $WORK/last)
poll "call GET /v1/cards/$CARD '' -H '$A'" '.status == "active"'
call GET /v1/accounts/$ACCOUNT "" -H "$A"; LIMIT=$(j .creditLimit < $WORK/last)
call GET /v1/accounts/$(cat /proc/sys/kernel/random/uuid) "" -H "$A"          # someone else's / unknown: 404
BUY="{\"cardId\":\"$CARD\",\"amount\":4500,\"currency\":\"USD\",\"merchant\":{\"name\":\"Corner Grocer\",\"mcc\":\"5411\",\"country\":\"US\"}}"
K=$(idem); call POST /v1/authorizations "$BUY" -H "$A" -H "$K"; AUTH=$(j .id < $WORK/last); echo "   $(jq -c '[.status,.responseCode]' $WORK/last)"
call POST /v1/authorizations "$BUY" -H "$A" -H "$K"; echo "   replay: $(jq -c '[.status,.id]' $WORK/last)"
call POST /v1/authorizations "{\"cardId\":\"$CARD\",\"amount\":4600,\"currency\":\"USD\",\"merchant\":{\"name\":\"Corner Grocer\",\"mcc\":\"5411\",\"country\":\"US\"}}" -H "$A" -H "$K"  # same key, other body: 422
call POST /v1/authorizations "{\"cardId\":\"$CARD\",\"amount\":$((LIMIT+1)),\"currency\":\"USD\",\"merchant\":{\"id\":\"m-77\",\"name\":\"Big Store\",\"mcc\":\"5311\",\"country\":\"US\"},\"channel\":\"ecommerce\"}" -H "$A" -H "$(idem)"; echo "   decline: $(jq -c '[.status,.responseCode,.declineReason]' $WORK/last)"
call POST /v1/authorizations "{\"cardId\":\"$(cat /proc/sys/kernel/random/uuid)\",\"amount\":100,\"currency\":\"USD\",\"merchant\":{\"name\":\"X\",\"mcc\":\"5411\",\"country\":\"US\"}}" -H "$A" -H "$(idem)"   # unknown card: 404
call POST /v1/authorizations "{\"cardId\":\"$CARD\",\"amount\":-5,\"currency\":\"usd\",\"merchant\":{\"name\":\"X\",\"mcc\":\"54\",\"country\":\"US\"}}" -H "$A" -H "$(idem)"   # validation problem: 400
call POST /v1/authorizations/$AUTH/capture "" -H "$A" -H "$(idem)"; CAPTURE=$(j .id < $WORK/last)
poll "call GET /v1/authorizations/$AUTH '' -H '$A'" ".operations[] | select(.id == \"$CAPTURE\" and .status == \"succeeded\")"
call POST /v1/authorizations/$AUTH/void "" -H "$A" -H "$(idem)"        # captured: 409
call POST /v1/transactions/$CAPTURE/refund '{"amount":1000}' -H "$A" -H "$(idem)"; REFUND=$(j .id < $WORK/last)
poll "call GET /v1/authorizations/$AUTH '' -H '$A'" ".operations[] | select(.id == \"$REFUND\" and .status == \"succeeded\")"
call POST /v1/transactions/$CAPTURE/refund '{"amount":999999}' -H "$A" -H "$(idem)"   # more than captured
K2=$(idem); call POST /v1/authorizations "${BUY/4500/700}" -H "$A" -H "$K2"; AUTH2=$(j .id < $WORK/last)
call POST /v1/authorizations/$AUTH2/capture '{"amount":300}' -H "$A" -H "$(idem)"
call POST /v1/authorizations/$AUTH2/void "" -H "$A" -H "$(idem)"
call GET /v1/accounts/$ACCOUNT "" -H "$A"; echo "   $(jq -c '[.postedBalance,.heldAmount,.availableCredit]' $WORK/last)"
call GET "/v1/accounts/$ACCOUNT/transactions?limit=5" "" -H "$A"
# Operator: alert rules, audit, reconciliation, then the test clock closes the month.
call POST /v1/auth/login "{\"email\":\"operator@card-platform.local\",\"password\":\"$OPERATOR_PASSWORD\"}"; O="Authorization: Bearer $(j .accessToken < $WORK/last)"
call PUT /v1/accounts/$ACCOUNT/alert-rules '{"largePurchaseThreshold":5000}' -H "$O"
call GET /v1/accounts/$ACCOUNT/alert-rules "" -H "$O"
call GET /v1/accounts/$ACCOUNT/alert-rules "" -H "$A"                   # customer: 403
call GET "/v1/audit/events?limit=3" "" -H "$O"
call GET /v1/audit/verify "" -H "$O"
call GET "/v1/applications/$APPROVED/applicant" "" -H "$O" -H "X-Access-Reason: prism contract run"
call GET "/v1/reconciliation/processor?from=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)&to=$(date -u -d '+1 minute' +%Y-%m-%dT%H:%M:%SZ)" "" -H "$O"; echo "   matched: $(j .matched < $WORK/last)"
NOW=$(date +%s); NEXT=$(date -u -d "$(date -u +%Y-%m-01) +1 month +2 day" +%s)
call GET /v1/test-clock "" -H "$O"
call PUT /v1/test-clock "{\"offsetSeconds\":$((NEXT-NOW))}" -H "$O"
call POST /v1/auth/login "{\"email\":\"operator@card-platform.local\",\"password\":\"$OPERATOR_PASSWORD\"}"; O="Authorization: Bearer $(j .accessToken < $WORK/last)"
call POST /v1/auth/login "{\"email\":\"$EMAIL\",\"password\":\"$PW\"}"; A="Authorization: Bearer $(j .accessToken < $WORK/last)"; REFRESH=$(j .refreshToken < $WORK/last)
PERIOD=$(date -u +%Y-%m)
poll "call POST /v1/statements/cycle '' -H '$O'; call GET /v1/accounts/$ACCOUNT/statements '' -H '$A'" ".items[] | select(.period == \"$PERIOD\")"
echo "   statement: $(jq -c ".items[] | select(.period == \"$PERIOD\") | [.purchases,.refunds,.newBalance]" $WORK/last)"
call GET /v1/accounts/$ACCOUNT/statements/$PERIOD "" -H "$A"; echo "   $(head -c 8 $WORK/last)"
call GET /v1/accounts/$ACCOUNT/statements/1999-01 "" -H "$A"        # no such statement: 404
call PUT /v1/test-clock '{"offsetSeconds":0}' -H "$O"
call POST /v1/auth/refresh "{\"refreshToken\":\"$REFRESH\"}"
call POST /v1/auth/logout "" -H "$A"
call POST /v1/auth/refresh "{\"refreshToken\":\"$REFRESH\"}"            # after logout: 401
sim GET /sim/v1/stats
sim POST /sim/v1/reset
