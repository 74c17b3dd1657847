"""Push an image to a real registry over its HTTP API, as `docker push` does, without Docker: blobs (a
monolithic upload each: POST then PUT with the digest), then manifests, then tags.

    python tests/support/registry_push.py <push.json>

push.json: {"registry": "host", "token_server": "https://host/oauth2/token", "repository": "app",
"blobs": {digest: base64 content}, "manifests": [[reference, manifest text], ...]} (manifests in the order
to push them: an index after the manifests it names). The token comes from the token server by the
refresh-token grant for repository:<repo>:pull,push; TLS is verified against REQUESTS_CA_BUNDLE.
"""

import base64
import json
import os
import ssl
import sys
import urllib.parse
import urllib.request

TIMEOUT = 30


def _request(context, method, url, body=None, headers=None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), _NoRedirect())
    try:
        with opener.open(request, timeout=TIMEOUT) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def push(spec):
    context = ssl.create_default_context(cafile=os.environ.get("REQUESTS_CA_BUNDLE"))
    registry, repository = spec["registry"], spec["repository"]
    form = urllib.parse.urlencode({"grant_type": "refresh_token", "refresh_token": "push", "service": registry,
                                   "scope": "repository:{}:pull,push".format(repository)}).encode()
    status, _, body = _request(context, "POST", spec["token_server"], form,
                               {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200, (status, body[:300])
    auth = {"Authorization": "Bearer " + json.loads(body)["access_token"]}
    base = "https://{}/v2/{}".format(registry, repository)
    for digest, content in spec["blobs"].items():
        status, headers, body = _request(context, "POST", base + "/blobs/uploads/", b"", auth)
        assert status == 202, ("upload start", status, body[:300])
        location = urllib.parse.urljoin(base + "/", headers["Location"])
        location += ("&" if "?" in location else "?") + urllib.parse.urlencode({"digest": digest})
        status, _, body = _request(context, "PUT", location, base64.b64decode(content),
                                   dict(auth, **{"Content-Type": "application/octet-stream"}))
        assert status == 201, ("upload", digest, status, body[:300])
    for reference, text in spec["manifests"]:
        media = json.loads(text)["mediaType"]
        status, _, body = _request(context, "PUT", "{}/manifests/{}".format(base, reference), text.encode(),
                                   dict(auth, **{"Content-Type": media}))
        assert status == 201, ("manifest", reference, status, body[:300])
    print("pushed {} blobs and {} manifests to {}/{}".format(len(spec["blobs"]), len(spec["manifests"]), registry,
                                                               repository))


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        push(json.load(f))
