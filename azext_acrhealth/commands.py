"""The command table: `az acr check-health`, replacing the built-in command of the same name."""

MESSAGE_WIDTH = 80   # characters of a message in `-o table`; the JSON keeps it whole


def load_command_table(self, _):
    with self.command_group("acr") as g:
        g.custom_command("check-health", "acr_check_health", table_transformer=table)


def table(result):
    """`-o table`: one row per check that fits a terminal, seconds in one format. Nothing to import."""
    rows = []
    for check in result.get("checks", ()) if isinstance(result, dict) else ():
        message = check.get("message") or ""
        if len(message) > MESSAGE_WIDTH:
            message = message[:MESSAGE_WIDTH - 1] + "…"
        rows.append({"Check": check.get("title"), "Status": check.get("status"),
                     "Seconds": "{:.2f}".format(check.get("durationSeconds") or 0.0),
                     "Code": check.get("code") or "", "Message": message})
    return rows
