"""The command table: `az acr check-health`, replacing the built-in command of the same name."""


def load_command_table(self, _):
    # A JMESPath table view: nothing to import when the command table loads.
    table = "checks[].{Check: title, Status: status, Code: code, Seconds: durationSeconds, Message: message}"
    with self.command_group("acr") as g:
        g.custom_command("check-health", "acr_check_health", table_transformer=table)
