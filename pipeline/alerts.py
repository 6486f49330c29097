"""Failure alerts for the nightly run: a JSON webhook and/or an e-mail
(:class:`core.settings.AlertSettings`, from these variables):

``DXWH_ALERT_WEBHOOK_URL``  POST a JSON document (Slack/Teams/Google Chat incoming webhooks, or
                            any HTTP endpoint) to this URL.
``DXWH_ALERT_EMAIL``        comma-separated recipients; sent through ``DXWH_SMTP_HOST``
                            (``DXWH_SMTP_PORT`` default 25, ``DXWH_SMTP_USER`` /
                            ``DXWH_SMTP_PASSWORD`` optional, ``DXWH_SMTP_STARTTLS=true`` to
                            upgrade, ``DXWH_ALERT_FROM`` default ``dxwh@localhost``).

With neither set, the failure is only logged, with a line saying that no alert channel is set.
An alert that cannot be delivered is logged and never raises: the task has already failed and
the callback must not hide why.
"""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from core.settings import AlertSettings, alert_settings

log = logging.getLogger("dxwh.alerts")

TIMEOUT_SECONDS = 10


@dataclass
class AlertResult:
    """What happened to one alert: the channels it went to and those that failed."""

    sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def configured(self) -> bool:
        return bool(self.sent or self.failed)


def failure_payload(context: Mapping[str, Any]) -> dict[str, Any]:
    """The alert's content, from an Airflow task context."""
    ti = context.get("ti") or context.get("task_instance")
    dag_run = context.get("dag_run")
    error = context.get("exception")
    logical_date = getattr(dag_run, "logical_date", None)
    return {
        "event": "task_failed",
        "dag_id": getattr(ti, "dag_id", None),
        "task_id": getattr(ti, "task_id", None),
        "run_id": context.get("run_id") or getattr(dag_run, "run_id", None),
        "try_number": getattr(ti, "try_number", None),
        "logical_date": logical_date.isoformat() if logical_date else None,
        "error": f"{type(error).__name__}: {error}" if error else None,
        "log_url": getattr(ti, "log_url", None),
    }


def alert_text(payload: Mapping[str, Any]) -> str:
    return (
        f"dxwh: task {payload.get('dag_id')}.{payload.get('task_id')} failed "
        f"(run {payload.get('run_id')}, try {payload.get('try_number')}): {payload.get('error')}"
    )


def send_alert(payload: Mapping[str, Any], channels: AlertSettings | None = None) -> AlertResult:
    """Send ``payload`` to every channel configured (default: the settings' channels)."""
    channels = alert_settings() if channels is None else channels
    result = AlertResult()
    text = alert_text(payload)
    if channels.webhook_url:
        try:
            post_webhook(channels.webhook_url, {"text": text, **payload})
            result.sent.append("webhook")
        except Exception as exc:  # an undeliverable alert must not mask the task's failure
            result.failed["webhook"] = f"{type(exc).__name__}: {exc}"
    if channels.emails:
        try:
            send_email(list(channels.emails), text, payload, channels)
            result.sent.append("email")
        except Exception as exc:
            result.failed["email"] = f"{type(exc).__name__}: {exc}"
    if not result.configured:
        log.warning(
            "%s -- no alert sent: set DXWH_ALERT_WEBHOOK_URL or DXWH_ALERT_EMAIL to be told",
            text,
        )
    for channel in result.sent:
        log.info("alert sent by %s: %s", channel, text)
    for channel, why in result.failed.items():
        log.error("alert by %s could not be sent (%s): %s", channel, why, text)
    return result


def post_webhook(url: str, body: Mapping[str, Any]) -> int:
    """POST ``body`` as JSON; return the HTTP status (urllib raises on 4xx/5xx)."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False, default=str).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        return int(response.status)


def send_email(
    recipients: list[str], subject: str, payload: Mapping[str, Any], channels: AlertSettings
) -> None:
    if not channels.smtp_host:
        raise RuntimeError("DXWH_ALERT_EMAIL is set but DXWH_SMTP_HOST is not")
    message = EmailMessage()
    message["Subject"] = subject[:200]
    message["From"] = channels.sender
    message["To"] = ", ".join(recipients)
    message.set_content(json.dumps(dict(payload), ensure_ascii=False, indent=2, default=str))
    with smtplib.SMTP(channels.smtp_host, channels.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
        if channels.smtp_starttls:
            smtp.starttls()
        if channels.smtp_user:
            smtp.login(channels.smtp_user, channels.smtp_password)
        smtp.send_message(message)


def on_task_failure(context: Mapping[str, Any]) -> None:
    """Airflow ``on_failure_callback``: alert on a task that failed for good (no retry left)."""
    send_alert(failure_payload(context))
