"""One small HTTP client for the gateways (SMS, WeCom and DingTalk robots): a JSON POST with a
timeout, through the standard library, that reports instead of raising.

Only ``http`` and ``https`` addresses are accepted: a robot or gateway address typed by an
administrator must not become ``file:///etc/passwd`` or ``ftp://…``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

# What is kept of a provider's answer: enough to read an error, never a whole page.
MAX_ANSWER_CHARS = 2000


@dataclass(frozen=True)
class HttpAnswer:
    status: int  # 0 when no answer came (refused, timed out, bad address)
    body: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        """The body as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def describe(self) -> str:
        return f"HTTP {self.status}: {self.body}"[:MAX_ANSWER_CHARS] if self.status else self.body


def is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def post_json(
    url: str, payload: dict[str, Any], *, headers: dict[str, str] | None = None, timeout: float = 5
) -> HttpAnswer:
    """POST ``payload`` as UTF-8 JSON; never raises for a network or HTTP failure."""
    if not is_web_url(url):
        return HttpAnswer(0, "refused: only http(s) addresses are allowed")
    request = Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        method="POST",
    )
    try:
        with urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
            body = response.read(MAX_ANSWER_CHARS * 4).decode("utf-8", "replace")
            return HttpAnswer(response.status, body[:MAX_ANSWER_CHARS])
    except HTTPError as error:
        body = error.read(MAX_ANSWER_CHARS * 4).decode("utf-8", "replace") if error.fp else ""
        return HttpAnswer(error.code, body[:MAX_ANSWER_CHARS])
    except (OSError, ValueError) as error:  # URLError, timeouts, refused connections, bad hosts
        return HttpAnswer(0, f"{type(error).__name__}: {error}"[:MAX_ANSWER_CHARS])
