"""The one way Lectio fetches a URL that came from outside (Cite It!, identifier lookups,
the link checker, an LMS's key set).

`fetch(url)` resolves the host once, refuses the request unless every address it
resolves to is a global unicast address (after unwrapping IPv4-mapped, IPv4-compatible,
6to4, Teredo and NAT64 forms, because Python's `ipaddress` calls `64:ff9b::7f00:1` and
`2002:7f00:1::` global), connects to the address it checked (no second lookup, so DNS
rebinding cannot swap it), and does the same again for every redirect (at most
`max_redirects`). Only http and https on their usual ports, no user names in URLs, a
total deadline, a size cap, and a content-type allowlist. `FetchRefused` says why a URL
was refused (never fetched); `FetchFailed` says why a fetch went wrong.

Settings: `LECTIO_FETCH_TIMEOUT` (seconds, total, default 15), `LECTIO_FETCH_MAX_BYTES`
(default 5 MB), `LECTIO_FETCH_PORTS` (default 80 and 443), `LECTIO_FETCH_ALLOW_ADDRESSES`
(addresses or networks treated as global, for an intranet service the institution
trusts; empty by default), `LECTIO_FETCH_ALLOW` (`host:port` pairs fetched whatever
their address and port: a named intranet host, or a test server; empty by default),
`LECTIO_FETCH_RATE` (fetches a minute per user, default 30).
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings

from lectio.core.ratelimit import take

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

USER_AGENT = "Lectio/0.1 (course resource lists; +https://lectio.invalid/bot)"
REDIRECTS = (301, 302, 303, 307, 308)
DEFAULT_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "text/plain",
    "application/json",
    "application/ld+json",
    "application/vnd.citationstyles.csl+json",
    "application/xml",
    "text/xml",
)

# Not covered by `is_global` in every Python version, or wrongly called global.
_BLOCKED = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class FetchRefused(Exception):
    """The URL was not fetched: it is not one Lectio may fetch."""


class FetchFailed(Exception):
    """The fetch was allowed but did not give a usable answer."""


@dataclass
class FetchResult:
    url: str
    final_url: str
    status: int
    content_type: str
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)
    redirects: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        charset = "utf-8"
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip("\"'")
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")


def _embedded(ip: IPAddress) -> list[IPAddress]:
    """The IPv4 addresses an IPv6 address carries (and the address itself)."""
    found: list[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            found.append(ip.ipv4_mapped)
        if ip.sixtofour is not None:
            found.append(ip.sixtofour)
        if ip.teredo is not None:
            found.extend(ip.teredo)
        if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
            found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [
        ipaddress.ip_network(n, strict=False)
        for n in getattr(settings, "LECTIO_FETCH_ALLOW_ADDRESSES", ())
    ]


def _allowed_hosts() -> set[str]:
    return {
        str(entry).strip().lower()
        for entry in getattr(settings, "LECTIO_FETCH_ALLOW", ())
        if str(entry).strip()
    }


def address_allowed(address: str) -> bool:
    """True when `address` is a global unicast address (or one the institution has
    allowed), whatever form it is written in."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    if any(ip in net for net in _allowed_networks() if net.version == ip.version):
        return True
    for inner in _embedded(ip):
        if not inner.is_global or inner.is_multicast:
            return False
        if any(inner in net for net in _BLOCKED if net.version == inner.version):
            return False
    return True


def system_resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchFailed(f"the host {host} could not be found") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    address: str
    path: str


def check_url(url: str, *, resolve: Resolver = system_resolve) -> Target:
    """Refuse `url` unless Lectio may fetch it; otherwise the checked address to
    connect to. Every address the name resolves to must be allowed (a name with one
    private address among public ones is refused)."""
    if not url or len(url) > 2000:
        raise FetchRefused("the address is empty or too long")
    if any(ord(c) < 33 for c in url):
        raise FetchRefused("the address contains spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchRefused("the address is not a valid URL") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchRefused("only http and https addresses can be fetched")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise FetchRefused("addresses with a user name or password are not fetched")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchRefused("the address has no host")
    port = port or (443 if scheme == "https" else 80)
    named = f"{host.lower()}:{port}" in _allowed_hosts()
    if not named and port not in tuple(
        getattr(settings, "LECTIO_FETCH_PORTS", (80, 443))
    ):
        raise FetchRefused(f"port {port} is not one Lectio fetches from")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        if not named and (
            host.lower() == "localhost" or host.lower().endswith(".localhost")
        ):
            raise FetchRefused("local addresses are not fetched")
        try:
            host.encode("idna")
        except UnicodeError as exc:
            raise FetchRefused("the host name is not valid") from exc
        # The system resolver reads "2130706433", "0x7f.1" and "0177.0.0.1" as
        # 127.0.0.1: whatever it makes of the name, the addresses are checked.
        addresses = resolve(host, port)
        if not addresses:
            raise FetchFailed(f"the host {host} could not be found")
    refused = [] if named else [a for a in addresses if not address_allowed(a)]
    if refused:
        raise FetchRefused(
            "the address points into a private or reserved network, "
            "which Lectio does not fetch from"
        )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme, host, port, addresses[0], path)


def _pinned_url(target: Target) -> str:
    ip = ipaddress.ip_address(target.address)
    host = f"[{ip}]" if ip.version == 6 else str(ip)
    return f"{target.scheme}://{host}:{target.port}{target.path}"


def _host_header(target: Target) -> str:
    default = 443 if target.scheme == "https" else 80
    try:
        ip = ipaddress.ip_address(target.host)
        host = f"[{ip}]" if ip.version == 6 else str(ip)
    except ValueError:
        host = target.host.encode("idna").decode("ascii")
    return host if target.port == default else f"{host}:{target.port}"


def fetch(
    url: str,
    *,
    method: str = "GET",
    accept: Sequence[str] = DEFAULT_TYPES,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
    user_key: str | None = None,
    max_bytes: int | None = None,
    timeout: float | None = None,
    max_redirects: int = 3,
    resolve: Resolver = system_resolve,
    transport: httpx.BaseTransport | None = None,
) -> FetchResult:
    """Fetch `url` under every rule above. `accept` lists the content types taken
    (empty: any); `content` is a request body (a form or JSON POST: give its
    Content-Type in `headers`; a 303 redirect drops it); `user_key` names whose rate
    limit the fetch counts against."""
    if user_key is not None:
        rate = float(getattr(settings, "LECTIO_FETCH_RATE", 30))
        if rate > 0 and take(f"fetch:{user_key}", rate=rate / 60, burst=rate):
            raise FetchRefused(
                "too many fetches in a short time; try again in a minute"
            )
    limit = max_bytes or int(getattr(settings, "LECTIO_FETCH_MAX_BYTES", 5 * 2**20))
    total = timeout or float(getattr(settings, "LECTIO_FETCH_TIMEOUT", 15.0))
    deadline = time.monotonic() + total
    redirects: list[str] = []
    current = url
    target = check_url(current, resolve=resolve)
    with httpx.Client(
        transport=transport,
        verify=_tls_context(),
        follow_redirects=False,
        trust_env=False,
    ) as client:
        while True:
            if redirects:
                target = check_url(current, resolve=resolve)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FetchFailed("the site took too long to answer")
            request_headers = {
                "User-Agent": USER_AGENT,
                "Accept": ", ".join(accept) if accept else "*/*",
                **(headers or {}),
                "Host": _host_header(target),
            }
            extensions: dict[str, object] = {
                "timeout": {
                    "connect": remaining,
                    "read": remaining,
                    "write": remaining,
                    "pool": remaining,
                }
            }
            if target.scheme == "https":
                extensions["sni_hostname"] = target.host
            request = client.build_request(
                method,
                _pinned_url(target),
                headers=request_headers,
                content=content,
                extensions=extensions,
            )
            try:
                response = client.send(request, stream=True)
            except httpx.TimeoutException as exc:
                raise FetchFailed("the site took too long to answer") from exc
            except httpx.HTTPError as exc:
                raise FetchFailed(f"the site could not be reached ({exc})") from exc
            try:
                if response.status_code in REDIRECTS and "location" in response.headers:
                    if len(redirects) >= max_redirects:
                        raise FetchRefused("the address redirects too many times")
                    base = f"{target.scheme}://{_host_header(target)}{target.path}"
                    current = urljoin(base, response.headers["location"].strip())
                    redirects.append(current)
                    if response.status_code == 303:
                        method, content = "GET", None
                    continue
                content_type = (
                    response.headers.get("content-type", "")
                    .split(";")[0]
                    .strip()
                    .lower()
                )
                if accept and response.status_code < 400 and content_type not in accept:
                    raise FetchRefused(
                        f"the address gives {content_type or 'an unknown type'}, "
                        "not a kind of content Lectio reads"
                    )
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise FetchRefused("the content is larger than Lectio fetches")
                body = _read(response, limit, deadline)
                return FetchResult(
                    url=url,
                    final_url=current,
                    status=response.status_code,
                    content_type=content_type,
                    content=body,
                    headers={k.lower(): v for k, v in response.headers.items()},
                    redirects=redirects,
                )
            finally:
                response.close()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Building a context reads the system's certificate store (tens of
    # milliseconds); one per process is enough.
    return ssl.create_default_context()


def _read(response: httpx.Response, limit: int, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchRefused("the content is larger than Lectio fetches")
            if time.monotonic() > deadline:
                raise FetchFailed("the site took too long to answer")
            chunks.append(chunk)
    except httpx.TimeoutException as exc:
        raise FetchFailed("the site took too long to answer") from exc
    except httpx.HTTPError as exc:
        raise FetchFailed(f"the answer broke off ({exc})") from exc
    return b"".join(chunks)
