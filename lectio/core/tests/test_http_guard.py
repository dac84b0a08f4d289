"""The guarded client against hostile URLs.

Two local listeners: a recorder on 127.0.0.1 that no fetch may ever reach, and a
"public" site on 127.0.0.2 that the tests allow (LECTIO_FETCH_ALLOW_ADDRESSES), which
redirects wherever it is told to. Every hostile URL must be refused and the recorder
must count no hit at all."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings

from lectio.core import http_guard
from lectio.core.http_guard import FetchFailed, FetchRefused, address_allowed, fetch


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<title>secret</title>")

    do_HEAD = do_GET
    do_POST = do_GET

    def log_message(self, *args: Any) -> None:
        pass


class _Site(BaseHTTPRequestHandler):
    seen_hosts: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        type(self).seen_hosts.append(self.headers.get("Host", ""))
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path == "/redirect":
            self.send_response(int(query.get("code", ["302"])[0]))
            self.send_header("Location", query["to"][0])
            self.end_headers()
            return
        if url.path.startswith("/chain/"):
            left = int(url.path.rsplit("/", 1)[1])
            self.send_response(302)
            self.send_header("Location", f"/chain/{left - 1}" if left else "/html")
            self.end_headers()
            return
        if url.path == "/big":
            body = b"x" * (64 * 1024)
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(body)
            return
        if url.path == "/big-declared":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(50 * 2**20))
            self.end_headers()
            return
        if url.path == "/binary":
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.end_headers()
            self.wfile.write(b"\x00\x01")
            return
        body = "<html><title>Café</title></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        answer = (
            b'{"got": "'
            + body
            + b'", "type": "'
            + self.headers.get_content_type().encode()
            + b'"}'
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


def _serve(address: str, handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((address, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[int, int]]:
    recorder = _serve("127.0.0.1", _Recorder)
    site = _serve("127.0.0.2", _Site)
    yield recorder.server_address[1], site.server_address[1]
    recorder.shutdown()
    site.shutdown()


@pytest.fixture
def net(servers: tuple[int, int]) -> Iterator[dict[str, Any]]:
    trap, site = servers
    _Recorder.hits.clear()
    _Site.seen_hosts.clear()
    with override_settings(
        LECTIO_FETCH_ALLOW_ADDRESSES=["127.0.0.2"],
        LECTIO_FETCH_PORTS=(80, 443, trap, site),
        LECTIO_FETCH_RATE=0,
    ):
        yield {"trap": trap, "site": f"http://127.0.0.2:{site}", "site_port": site}
    assert _Recorder.hits == [], "a refused URL reached the local listener"


def _hostile(trap: int) -> list[str]:
    p = trap
    return [
        f"http://127.0.0.1:{p}/",
        f"http://127.1:{p}/",
        f"http://127.0.1:{p}/",
        f"http://127.000.000.001:{p}/",
        f"http://2130706433:{p}/",
        f"http://0x7f000001:{p}/",
        f"http://0x7f.1:{p}/",
        f"http://0x7f.0x0.0x0.0x1:{p}/",
        f"http://0177.0.0.1:{p}/",
        f"http://0177.1:{p}/",
        f"http://017700000001:{p}/",
        f"http://0:{p}/",
        f"http://0.0.0.0:{p}/",
        f"http://localhost:{p}/",
        f"http://LOCALHOST:{p}/",
        f"http://localhost.:{p}/",
        f"http://app.localhost:{p}/",
        f"http://[::1]:{p}/",
        f"http://[0:0:0:0:0:0:0:1]:{p}/",
        f"http://[::]:{p}/",
        f"http://[::ffff:127.0.0.1]:{p}/",
        f"http://[::ffff:7f00:1]:{p}/",
        f"http://[::127.0.0.1]:{p}/",
        f"http://[2002:7f00:1::]:{p}/",
        f"http://[2002:a00:1::1]:{p}/",
        f"http://[64:ff9b::7f00:1]:{p}/",
        f"http://[64:ff9b::a9fe:a9fe]:{p}/",
        f"http://[64:ff9b:1::a00:1]:{p}/",
        # Teredo: server 65.54.227.120, client 127.0.0.1 (obfuscated).
        f"http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:{p}/",
        f"http://[fe80::1]:{p}/",
        f"http://[fc00::1]:{p}/",
        f"http://[fd12:3456::1]:{p}/",
        f"http://[ff02::1]:{p}/",
        f"http://[2001:db8::1]:{p}/",
        "http://10.0.0.1/",
        "http://10.255.255.255/",
        "http://172.16.0.1/",
        "http://172.31.255.254/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://100.64.0.1/",
        "http://100.127.255.254/",
        "http://192.0.0.8/",
        "http://192.0.2.1/",
        "http://192.88.99.1/",
        "http://198.18.0.1/",
        "http://198.51.100.7/",
        "http://203.0.113.9/",
        "http://224.0.0.1/",
        "http://239.255.255.250/",
        "http://240.0.0.1/",
        "http://255.255.255.255/",
        f"http://user:pass@example.org:{p}/",
        f"http://example.org@127.0.0.1:{p}/",
        f"http://127.0.0.1:{p}@example.org/",
        "file:///etc/passwd",
        "ftp://example.org/file",
        "gopher://127.0.0.1:70/_GET",
        "dict://127.0.0.1:11211/stat",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "http://example.org:22/",
        "http://example.org:6379/",
        "//example.org/",
        "http:///path",
        "http://exa mple.org/",
        "http://example.org/\r\nX-Injected: 1",
        "",
        "http://" + "a" * 2100 + ".org/",
    ]


def test_more_than_sixty_hostile_urls_are_all_refused(net: dict[str, Any]) -> None:
    urls = _hostile(net["trap"])
    assert len(urls) >= 60

    let_through = []
    for url in urls:
        try:
            fetch(url, resolve=lambda host, port: ["127.0.0.1"])
        except FetchRefused:
            continue
        except FetchFailed:
            continue
        let_through.append(url)

    assert let_through == []


@pytest.mark.parametrize(
    "addresses",
    [
        ["10.1.2.3"],
        ["127.0.0.1"],
        ["93.184.215.14", "10.0.0.1"],  # one private address among public ones
        ["::ffff:192.168.1.1"],
        ["64:ff9b::a00:1"],
        ["169.254.169.254"],
    ],
)
def test_names_resolving_to_private_addresses_are_refused(
    net: dict[str, Any], addresses: list[str]
) -> None:
    with pytest.raises(FetchRefused):
        fetch(f"http://evil.example:{net['trap']}/", resolve=lambda h, p: addresses)


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{trap}/",
        "http://localhost:{trap}/",
        "http://2130706433:{trap}/",
        "http://[::ffff:127.0.0.1]:{trap}/",
        "http://rebound.example:{trap}/",
        "file:///etc/passwd",
    ],
)
@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_redirects_into_private_space_are_refused(
    net: dict[str, Any], target: str, code: int
) -> None:
    to = target.format(trap=net["trap"])

    def resolve(host: str, port: int) -> list[str]:
        if host == "rebound.example":
            return ["127.0.0.1"]
        return http_guard.system_resolve(host, port)

    with pytest.raises(FetchRefused):
        fetch(f"{net['site']}/redirect?code={code}&to={to}", resolve=resolve)


def test_connects_to_the_address_it_checked_not_a_second_lookup(
    net: dict[str, Any],
) -> None:
    answers = iter([["127.0.0.2"], ["127.0.0.1"], ["127.0.0.1"]])
    calls: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return next(answers)

    result = fetch(f"http://site.example:{net['site_port']}/html", resolve=rebinding)

    assert result.status == 200
    assert calls == ["site.example"]
    assert _Site.seen_hosts == [f"site.example:{net['site_port']}"]


def test_a_public_page_is_fetched_and_decoded(net: dict[str, Any]) -> None:
    result = fetch(f"{net['site']}/html")

    assert result.status == 200
    assert result.content_type == "text/html"
    assert "Café" in result.text


def test_redirects_are_followed_up_to_three(net: dict[str, Any]) -> None:
    ok = fetch(f"{net['site']}/chain/2")
    assert ok.status == 200
    assert len(ok.redirects) == 3

    with pytest.raises(FetchRefused, match="redirects too many"):
        fetch(f"{net['site']}/chain/3")


def test_size_cap_and_content_types(net: dict[str, Any]) -> None:
    with (
        override_settings(LECTIO_FETCH_MAX_BYTES=1024 * 1024),
        pytest.raises(FetchRefused, match="larger"),
    ):
        fetch(f"{net['site']}/big")
    with pytest.raises(FetchRefused, match="larger"):
        fetch(f"{net['site']}/big-declared")
    with pytest.raises(FetchRefused, match="application/octet-stream"):
        fetch(f"{net['site']}/binary")
    assert fetch(f"{net['site']}/binary", accept=()).content == b"\x00\x01"


def test_per_user_rate_limit(net: dict[str, Any]) -> None:
    with override_settings(LECTIO_FETCH_RATE=2):
        fetch(f"{net['site']}/html", user_key="u1")
        fetch(f"{net['site']}/html", user_key="u1")
        with pytest.raises(FetchRefused, match="too many"):
            fetch(f"{net['site']}/html", user_key="u1")
        fetch(f"{net['site']}/html", user_key="u2")


def test_unreachable_and_unknown_hosts_fail_cleanly(net: dict[str, Any]) -> None:
    with pytest.raises(FetchFailed):
        fetch("http://nowhere.example/", resolve=lambda h, p: [])

    def gone(host: str, port: int) -> list[str]:
        raise FetchFailed("the host could not be found")

    with pytest.raises(FetchFailed):
        fetch("http://nowhere.example/", resolve=gone)


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("8.8.8.8", True),
        ("2002:5db8:d70e::1", True),  # 6to4 of a public address
        ("64:ff9b::808:808", True),  # NAT64 of a public address
        ("127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("fe80::1%eth0", False),
        ("not an address", False),
    ],
)
def test_address_allowed(address: str, allowed: bool) -> None:
    assert address_allowed(address) is allowed


def test_the_system_resolver_reads_numeric_hosts_as_loopback() -> None:
    # The reason names are checked after resolving, not by their spelling.
    assert http_guard.system_resolve("2130706433", 80) == ["127.0.0.1"]


def test_a_body_is_posted(net: dict[str, Any]) -> None:
    result = fetch(
        f"{net['site']}/token",
        method="POST",
        content=b"grant_type=client_credentials",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert json.loads(result.text) == {
        "got": "grant_type=client_credentials",
        "type": "application/x-www-form-urlencoded",
    }


def test_a_named_host_and_port_is_fetched_whatever_its_address(
    servers: tuple[int, int],
) -> None:
    """LECTIO_FETCH_ALLOW names host:port pairs (an intranet service, a test
    server): they are fetched though private and on another port; nothing else on
    that address or port is."""
    trap, site = servers
    _Recorder.hits.clear()
    with override_settings(
        LECTIO_FETCH_ALLOW=[f"127.0.0.1:{trap}"],
        LECTIO_FETCH_ALLOW_ADDRESSES=[],
        LECTIO_FETCH_PORTS=(80, 443),
        LECTIO_FETCH_RATE=0,
    ):
        result = fetch(f"http://127.0.0.1:{trap}/page")
        assert result.status == 200
        assert _Recorder.hits == ["/page"]
        for refused in (
            f"http://127.0.0.2:{site}/",  # the same kind of address, another pair
            f"http://127.0.0.1:{site}/",  # the named host on another port
            f"http://localhost:{trap}/",  # another name for it
        ):
            with pytest.raises(FetchRefused):
                fetch(refused)
    assert _Recorder.hits == ["/page"]
    _Recorder.hits.clear()
