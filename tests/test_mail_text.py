"""The customer's own words: what the severity rules and model read of a mailed ticket."""

from __future__ import annotations

import pytest
from zendesk_sla.core.mail_text import own_words

REPORT = "Nadie puede entrar al sistema desde las 9, sale error 500."


@pytest.mark.parametrize(
    ("mail", "kept", "dropped"),
    [
        (
            f"{REPORT}\n\nEl 3/11/2026 a las 10:02, Soporte <s@x.test> escribió:\n> todo caído",
            REPORT,
            "todo caído",
        ),
        (
            f"{REPORT}\n\nOn 3/11/2026 at 10:02, Support <s@x.test> wrote:\n> all down",
            REPORT,
            "all down",
        ),
        (
            f"{REPORT}\n________________________________\nDe: Soporte\nEnviado: lunes\n"
            "Asunto: RE: caída total\n\nLa caída total quedó resuelta.",
            REPORT,
            "quedó resuelta",
        ),
        (
            f"{REPORT}\n\n---------- Forwarded message ---------\nFrom: a@x.test\nDate: 5/11\n\n"
            "Breach of data!",
            REPORT,
            "Breach",
        ),
        (f"{REPORT}\n\n-- \nAna\nSecurity Incident Response Team", REPORT, "Incident"),
        (
            f"{REPORT}\n\nAVISO LEGAL: Este mensaje es confidencial y se dirige exclusivamente a "
            "su destinatario. Si lo ha recibido por error, notifíquelo al remitente y elimínelo.",
            REPORT,
            "AVISO",
        ),
        (f"<p>{REPORT}</p><br>&nbsp;", REPORT, "<p>"),
        (f"{REPORT}\n\nEnviado desde mi iPhone", REPORT, "iPhone"),
        (
            f"{REPORT}\n2026-11-12 09:14:07,002 ERROR [exec-9] View - template not found\n"
            "java.lang.IllegalStateException: pool shut down\n\tat org.x.Pool.get(Pool.java:1)",
            REPORT,
            "template not found",
        ),
        (f"{REPORT}\n[CRITICAL] disk usage on /var/log 91%", REPORT, "disk usage"),
    ],
    ids=[
        "gmail-es",
        "gmail-en",
        "outlook",
        "forward",
        "signature",
        "disclaimer",
        "html",
        "footer",
        "log",
        "alert",
    ],
)
def test_the_customers_words_stay_and_what_they_did_not_write_now_goes(
    mail: str, kept: str, dropped: str
) -> None:
    text = own_words(mail)
    assert kept in text
    assert dropped not in text


def test_a_customer_writing_about_confidential_documents_is_not_a_legal_notice() -> None:
    report = (
        "A document link we sent to a client was forwarded and opposing counsel downloaded "
        "privileged and confidential memos. The disclosure has happened; the recipient said so."
    )
    assert own_words(report) == report


def test_a_forward_with_no_words_of_its_own_keeps_the_thread_it_forwards() -> None:
    mail = "FYI\n\n---------- Forwarded message ---------\nFrom: a@x.test\nDate: 5/11\n\n" + REPORT
    assert REPORT in own_words(mail)


def test_a_plain_ticket_is_left_as_written() -> None:
    assert own_words(REPORT) == REPORT
