"""How every registry step reads an HTTP answer that is not the one it wanted, the same way: the
details to report (URL, status, correlation id), throttling, and redirects (never followed here)."""

from ..outcome import failed

NOT_FOLLOWED = "not followed, so no credentials went there"


def details(res):
    """URL and status of an answer, and the registry's correlation id (support asks for it)."""
    found = {"url": res.url, "status": res.status}
    correlation = res.header("x-ms-correlation-request-id")
    if correlation:
        found["correlationId"] = correlation
    return found


def refusal(res, code, what, note=NOT_FOLLOWED, handoff=None):
    """The failed outcome for 429 (CONNECTIVITY_TOOMANYREQUESTS_ERROR) and for a redirect (`code`),
    or None for any other answer. `what` names what was asked for ("the refresh token")."""
    found = details(res)
    if res.status == 429:
        return failed("CONNECTIVITY_TOOMANYREQUESTS_ERROR", "{} answered 429 Too Many Requests{}".format(
            res.url, " for " + what if what else ""), handoff=handoff or {}, **found)
    if 300 <= res.status < 400:
        location = res.header("location") or "(no Location)"
        return failed(code, "{} answered {} redirecting to {}; {}".format(res.url, res.status, location, note),
                      handoff=handoff or {}, location=location, **found)
    return None
