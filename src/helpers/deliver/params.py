"""params/delivery.yaml: where `wxreport deliver` sends the week, typed like the other parameters.

Secrets (robot keys, webhook tokens, signing secrets, the SMTP password) are never in the file: it
names the environment variables that hold them (`key_env`, `webhook_env`, `secret_env`,
`password_env`), and `load_delivery` resolves them into a `Destination`. A destination whose
variable is unset is kept with `missing` set, so the command can skip it with a one-line warning.

A problem in the file is a ParamError naming the file and the key; it never quotes a value given
for a variable name or an unknown key, since a secret pasted where its variable's name belongs
would otherwise be printed.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs, urlsplit

from pydantic import Field, ValidationError, field_validator

from helpers.core.errors import ParamError
from helpers.core.params import DEFAULTS_FILE, ParamsModel, SharedParams, read_yaml

DELIVERY_FILE = "delivery.yaml"
TYPES = ("wecom", "feishu", "dingtalk", "email")
DEFAULT_BASE = {"wecom": "https://qyapi.weixin.qq.com", "feishu": "https://open.feishu.cn",
                "dingtalk": "https://oapi.dingtalk.com"}
KINDS = {"wecom": ("poster", "digest", "file"), "feishu": ("digest",), "dingtalk": ("digest",),
         "email": ("email",)}
SMTP_PORT = {"starttls": 587, "ssl": 465, "none": 25}
ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
URL = r"^https?://[^\s/?#]+(/[^\s?#]*)?$"
DEFAULT_TIMEOUT = 20.0
# Keys whose given value may be quoted in an error (never a secret): everything else is not echoed.
ECHOED = {"type", "security", "language", "port", "timeout", "messages", "enabled",
          "deliver_only_if_complete"}

EnvName = Annotated[str, Field(pattern=ENV_NAME, max_length=100, description=(
    "the NAME of an environment variable (e.g. WECOM_KEY), never the secret itself"))]


class _Robot(ParamsModel):
    enabled: bool = Field(True, description="false keeps the destination in the file but sends nothing")
    base_url: str | None = Field(None, pattern=URL, description=(
        "API origin; default the platform's own host (tests point it at a server on 127.0.0.1)"))
    timeout: float = Field(DEFAULT_TIMEOUT, gt=0, le=300, description="seconds per request")


class WecomParams(_Robot):
    """企业微信 group robot: POST /cgi-bin/webhook/send?key=..."""

    type: Literal["wecom"]
    key_env: EnvName = Field(description="variable holding the webhook key (or the whole webhook URL)")
    messages: list[Literal["poster", "digest", "file"]] = Field(
        default_factory=lambda: list(KINDS["wecom"]), min_length=1, description="what is sent, in this order")

    @field_validator("messages")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("each message may be listed once")
        return value


class FeishuParams(_Robot):
    """Feishu (Lark) custom robot: POST /open-apis/bot/v2/hook/<token>, signed when a secret is set."""

    type: Literal["feishu"]
    webhook_env: EnvName = Field(description="variable holding the webhook URL (or its last part)")
    secret_env: EnvName | None = Field(None, description="variable holding the signing secret")


class DingtalkParams(_Robot):
    """DingTalk custom robot: POST /robot/send?access_token=..., signed (加签) when a secret is set."""

    type: Literal["dingtalk"]
    webhook_env: EnvName = Field(description="variable holding the webhook URL (or its access_token)")
    secret_env: EnvName | None = Field(None, description="variable holding the signing secret (SEC...)")


class EmailParams(ParamsModel):
    """Email over SMTP: the digest, the poster inline, the reports attached (or linked)."""

    type: Literal["email"]
    enabled: bool = True
    host: str = Field(min_length=1, pattern=r"^[A-Za-z0-9.\-:\[\]]+$", description="SMTP server")
    port: int | None = Field(None, ge=1, le=65535, description="default 587 (starttls), 465 (ssl), 25 (none)")
    security: Literal["starttls", "ssl", "none"] = Field("starttls", description=(
        "starttls or ssl; none = plain SMTP, only for a relay on the same machine or the tests"))
    user: str | None = Field(None, min_length=1, description="login name; unset: no login")
    password_env: EnvName | None = Field(None, description="variable holding the SMTP password")
    sender: str = Field(alias="from", pattern=r"^[^@\s]+@[^@\s]+$", description="From address")
    to: list[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")]] = Field(min_length=1)
    timeout: float = Field(DEFAULT_TIMEOUT, gt=0, le=300)


DestinationParams = Annotated[WecomParams | FeishuParams | DingtalkParams | EmailParams,
                              Field(discriminator="type")]


class DeliveryParams(ParamsModel):
    """params/delivery.yaml."""

    destinations: dict[Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-]{1,60}$")], DestinationParams] = \
        Field(default_factory=dict, description="destinations by name")
    report_url_base: str | None = Field(None, pattern=URL, description=(
        "where the out folder is published (an internal web server, object storage): report names "
        "become links <report_url_base>/<period>/<report>.html in every message"))
    deliver_only_if_complete: bool = Field(False, description=(
        "true: a week with a failed report or a section not shown is not delivered at all"))
    language: Literal["zh", "en"] | None = Field(None, description="default: params/defaults.yaml language")


@dataclass(frozen=True)
class Destination:
    """One destination of delivery.yaml with its secrets read from the environment."""

    name: str
    type: str
    base_url: str = ""
    token: str | None = field(default=None, repr=False)
    secret: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    host: str = ""
    port: int = 0
    security: str = "starttls"
    user: str | None = None
    sender: str = ""
    to: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    timeout: float = DEFAULT_TIMEOUT
    language: str = "zh"
    report_url_base: str | None = None
    missing: tuple[str, ...] = ()
    variables: tuple[str, ...] = ()  # the names of the variables it reads (said by --dry-run)

    def secrets(self) -> tuple[str, ...]:
        """Every secret value it holds (to be scrubbed from any text that leaves the program)."""
        return tuple(s for s in (self.token, self.secret, self.password) if s)

    def scrub(self, text: str) -> str:
        return scrub(text, self.secrets())


def scrub(text: str, secrets: tuple[str, ...] | list[str] | set[str]) -> str:
    """`text` with every secret value replaced by ***, longest first."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


@dataclass(frozen=True)
class Delivery:
    """The validated file: the enabled destinations, resolved, in the file's order."""

    destinations: tuple[Destination, ...]
    report_url_base: str | None
    deliver_only_if_complete: bool
    language: str
    path: Path


def _token_and_origin(kind: str, value: str) -> tuple[str, str | None]:
    """The secret part of what a webhook variable holds and the origin of a full URL given there:
    WeCom's key (…/send?key=K), DingTalk's access_token (…/send?access_token=T), Feishu's hook
    token (…/hook/T); a bare value is the secret part itself."""
    value = value.strip()
    if not re.match(r"^https?://", value):
        return value, None
    parts = urlsplit(value)
    origin = f"{parts.scheme}://{parts.netloc}"
    if kind == "feishu":
        return parts.path.rstrip("/").rsplit("/", 1)[-1], origin
    query = parse_qs(parts.query)
    name = "key" if kind == "wecom" else "access_token"
    return (query.get(name) or [""])[0], origin


def _resolve(name: str, p: Any, environ: Mapping[str, str], top: DeliveryParams, language: str) -> Destination:
    def read(var: str | None) -> str | None:
        return (environ.get(var) or "").strip() or None if var else None

    common = {"name": name, "type": p.type, "timeout": p.timeout, "language": language,
              "report_url_base": top.report_url_base.rstrip("/") if top.report_url_base else None}
    if isinstance(p, EmailParams):
        password = read(p.password_env)
        missing = (p.password_env,) if p.password_env and not password else ()
        return Destination(**common, host=p.host, port=p.port or SMTP_PORT[p.security], security=p.security,
                           user=p.user, sender=p.sender, to=tuple(p.to), password=password, kinds=KINDS["email"],
                           missing=missing, variables=tuple(v for v in (p.password_env,) if v))
    hook_var = p.key_env if isinstance(p, WecomParams) else p.webhook_env
    secret_var = getattr(p, "secret_env", None)
    held = read(hook_var)
    token, origin = _token_and_origin(p.type, held) if held else (None, None)
    secret = read(secret_var)
    missing = tuple(v for v, got in ((hook_var, token), (secret_var, secret)) if v and not got)
    base = (p.base_url or origin or DEFAULT_BASE[p.type]).rstrip("/")
    kinds = tuple(p.messages) if isinstance(p, WecomParams) else KINDS[p.type]
    return Destination(**common, base_url=base, token=token or None, secret=secret, kinds=kinds,
                       missing=missing, variables=tuple(v for v in (hook_var, secret_var) if v))


def _error(path: Path, exc: ValidationError, doc: dict[str, Any]) -> ParamError:
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"]]
    # pydantic names the union member in the location (destinations.x.wecom.key_env): drop it
    loc = [p for i, p in enumerate(loc) if not (i == 2 and loc[0] == "destinations" and p in TYPES)]
    key = ".".join(loc) or "?"
    last = loc[-1] if loc else ""
    if "[key]" in loc:
        return ParamError(f"{path}: key 'destinations': a destination's name must be letters, digits, "
                          f"'_', '-' or '.' (YAML reads a bare yes/no/on/off/true/false as a yes-or-no "
                          f"value: quote such a name)")
    if err["type"] == "extra_forbidden":
        model = _model_at(loc, doc)
        return ParamError(_unknown(path, key, model))
    message = err["msg"].removeprefix("Value error, ")
    if last.endswith("_env"):
        return ParamError(f"{path}: key '{key}': expected the NAME of an environment variable, such as "
                          f"WECOM_KEY (letters, digits, _), not the secret itself: put the secret in the "
                          f"environment and its variable's name here")
    value = err.get("input")
    got = f" (got {value!r})" if last in ECHOED and not isinstance(value, dict) else ""
    if err["type"] == "union_tag_invalid" or (err["type"] == "union_tag_not_found"):
        message = f"'type' must be one of {', '.join(TYPES)}"
    return ParamError(f"{path}: key '{key}': {message}{got}")


MODELS: dict[str, type[ParamsModel]] = {"wecom": WecomParams, "feishu": FeishuParams,
                                        "dingtalk": DingtalkParams, "email": EmailParams}


def _unknown(path: Path, key: str, model: type[ParamsModel] | None) -> str:
    """An unknown key, the nearest known one and the known keys; never the value given."""
    if model is None:
        return f"{path}: key '{key}' is not a known parameter"
    known = sorted(f.alias or name for name, f in model.model_fields.items())
    close = difflib.get_close_matches(key.rsplit(".", 1)[-1], known, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return f"{path}: key '{key}' is not a known parameter.{hint} Known keys: {', '.join(known)}"


def _model_at(loc: list[str], doc: dict[str, Any]) -> type[ParamsModel] | None:
    """The model whose keys an unknown key at `loc` was checked against (for 'did you mean')."""
    if len(loc) <= 1:
        return DeliveryParams
    entry = (doc.get("destinations") or {}).get(loc[1]) if len(loc) == 3 else None
    return MODELS.get(entry.get("type")) if isinstance(entry, dict) else None


def load_delivery(params_dir: Path, environ: Mapping[str, str] | None = None) -> Delivery:
    """The enabled destinations of params_dir/delivery.yaml with their secrets resolved from
    `environ` (default os.environ); no file = no destination."""
    env = os.environ if environ is None else environ
    path = Path(params_dir) / DELIVERY_FILE
    doc = read_yaml(path)
    try:
        top = DeliveryParams.model_validate(doc)
    except ValidationError as exc:
        raise _error(path, exc, doc) from None
    language = top.language or _report_language(Path(params_dir))
    destinations = tuple(_resolve(name, p, env, top, language) for name, p in top.destinations.items()
                         if p.enabled)
    base = top.report_url_base.rstrip("/") if top.report_url_base else None
    return Delivery(destinations, base, top.deliver_only_if_complete, language, path)


def _report_language(params_dir: Path) -> str:
    """The reports' language (params/defaults.yaml), which the messages follow by default."""
    value = read_yaml(params_dir / DEFAULTS_FILE).get("language", SharedParams.model_fields["language"].default)
    return value if value in ("zh", "en") else "zh"
