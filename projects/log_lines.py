"""Log lines an operator can trust: one event, one line."""

import logging


class OneLine(logging.Filter):
    """Carriage returns and line feeds in a message (a provider's error text, a name from a
    sign-in, anything a request carried) are written as \\r and \\n: nobody can add lines
    that look like the app's own. Tracebacks, added by the formatter, keep their lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "\n" in message or "\r" in message:
            record.msg = message.replace("\r", "\\r").replace("\n", "\\n")
            record.args = None
        return True
