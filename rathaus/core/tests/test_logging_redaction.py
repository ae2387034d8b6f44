"""The log filter masks personal data that slipped into a log call."""

import logging

from rathaus.core.logging import RedactPersonalDataFilter, redact


def _record(msg, args=()):
    return logging.LogRecord("rathaus", logging.INFO, __file__, 1, msg, args, None)


def test_redacts_email_address_in_message():
    record = _record("login for maria.muster+test@example.org failed")
    assert RedactPersonalDataFilter().filter(record) is True
    assert record.getMessage() == "login for [email] failed"


def test_redacts_email_address_in_arguments():
    record = _record("login for %s failed (%d)", ("maria@example.org", 3))
    RedactPersonalDataFilter().filter(record)
    assert "maria@example.org" not in record.getMessage()
    assert "[email]" in record.getMessage()


def test_redacts_iban_and_phone():
    text = redact("IBAN DE89 3704 0044 0532 0130 00, Tel. +49 941 507-1234")
    assert "3704" not in text
    assert "507-1234" not in text


def test_leaves_ids_alone():
    assert redact("user #42 changed case 2026-0001") == "user #42 changed case 2026-0001"


def test_filter_is_installed_on_the_console_handler(settings):
    assert "redact" in settings.LOGGING["handlers"]["console"]["filters"]


def test_redaction_reaches_the_output(caplog):
    logger = logging.getLogger("rathaus.test")
    logger.addFilter(RedactPersonalDataFilter())
    try:
        with caplog.at_level(logging.INFO, logger="rathaus.test"):
            logger.info("mail to %s", "jonas@example.org")
    finally:
        logger.filters.clear()
    assert "jonas@example.org" not in caplog.text
    assert "[email]" in caplog.text


def test_leaves_dates_and_timestamps_alone():
    assert redact("job ran at 2026-01-15 10:30:00") == "job ran at 2026-01-15 10:30:00"


def test_redacts_national_phone_number():
    assert redact("call 0941 507-1234 back") == "call [phone] back"
