"""Keep personal data out of log lines.

Log calls pass ids, never names or e-mail addresses; this filter is the second line of defence
and masks anything that still looks like an e-mail address, an IBAN or a phone number.
"""

import logging
import re

_PATTERNS = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b"), "[iban]"),
    # Phone numbers start with + or 0 (German style), so dates and case numbers stay readable.
    (re.compile(r"(?<![\w-])(?:\+|0)\d[\d /-]{6,}\d"), "[phone]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True
