"""WeChat's error codes as `wxreport fetch` meets them, and the errors it stops with.

Every message here is said to the operator; none may carry a secret or an access token (the client
scrubs WeChat's own errmsg before it lands in one)."""

from __future__ import annotations

from helpers.core.errors import WxReportError

TOKEN_EXPIRED = frozenset({40001, 40014, 42001})  # refresh the token once and ask again
BUSY = frozenset({-1, 45011})  # back off and retry
QUOTA = 45009
RETIRED = 47009
WHITELIST = (
    "add this machine's public IP address to the API IP whitelist (mini-program: mp.weixin.qq.com, "
    "Development > Development Management > Development Settings > IP whitelist; official account: "
    "mp.weixin.qq.com, Settings and Development > Basic Configuration > IP whitelist; or the same settings "
    "of the app on developers.weixin.qq.com, the WeChat developer platform, where they have moved)"
)

MEANINGS: dict[int, str] = {
    -1: "WeChat's system is busy",
    40001: "the access token is invalid or not the latest one",
    40002: "invalid grant_type",
    40013: "invalid AppID",
    40014: "invalid access token",
    40097: "invalid arguments",
    40125: "invalid AppSecret (a lost one is reset in the admin console, next to the AppID)",
    40164: f"the caller's IP address is not in the whitelist: {WHITELIST}",
    41001: "the access token is missing",
    41002: "the AppID is missing",
    41004: "the AppSecret is missing",
    42001: "the access token has expired",
    44002: "the request body is empty",
    45009: "the daily quota of this API is used up",
    45011: "API called too often (per-minute limit)",
    47001: "the request body is not valid JSON",
    47009: "this API has been retired by WeChat",
    48001: "this API is not authorised for this account (its type or verification does not include it)",
    50002: "the account is restricted",
    61004: f"the caller's IP address is not registered: {WHITELIST}",
    61500: "date format error",
    61501: "date range error (a day outside the data WeChat keeps, or a span longer than the API allows)",
}


def meaning(code: int) -> str:
    return MEANINGS.get(code, "see WeChat's list of global return codes")


class FetchError(WxReportError):
    """`wxreport fetch` stops: the message says what happened and what to do."""


class ApiError(FetchError):
    """WeChat answered an errcode the fetch cannot get past."""

    def __init__(self, code: int, api: str, detail: str = ""):
        self.code, self.api = code, api
        said = f" (WeChat said: {detail})" if detail else ""
        super().__init__(f"{api}: WeChat error {code}: {meaning(code)}{said}")


class QuotaError(ApiError):
    """45009: today's quota is used up; what was fetched is kept."""


class RetiredError(ApiError):
    """47009: the API no longer exists."""


def api_error(code: int, api: str, detail: str = "") -> ApiError:
    kind = {QUOTA: QuotaError, RETIRED: RetiredError}.get(code, ApiError)
    return kind(code, api, detail)
