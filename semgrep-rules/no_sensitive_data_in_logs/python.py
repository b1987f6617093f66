# Test target for semgrep-rules/no_sensitive_data_in_logs/python.yml (parsed only, never run).
import logging

from flask import current_app, request

logger = logging.getLogger(__name__)


def login(username, password):
    # ruleid: vibeward.python.no_sensitive_data_in_logs.sensitive-value-logged
    logger.info(f"login attempt for {username} with password {password}")
    # ruleid: vibeward.python.no_sensitive_data_in_logs.sensitive-value-logged
    logger.debug("credentials: %s / %s", username, password)
    # ok: vibeward.python.no_sensitive_data_in_logs.sensitive-value-logged
    logger.info("password reset requested for %s", username)
    # ok: vibeward.python.no_sensitive_data_in_logs.sensitive-value-logged
    logger.info("password length %d", len(password))


def charge(card):
    # ruleid: vibeward.python.no_sensitive_data_in_logs.sensitive-value-logged
    logging.warning("charging card %s cvv %s" % (card.card_number, card.cvv))
    # ok: vibeward.python.no_sensitive_data_in_logs.sensitive-value-logged
    logging.warning("charging card ending %s", card.card_number[-4:])
    # ok: vibeward.python.no_sensitive_data_in_logs.sensitive-value-logged
    logging.warning("charging card %s", mask_pan(card.card_number))


def signup():
    pw = request.form["password"]
    # ruleid: vibeward.python.no_sensitive_data_in_logs.sensitive-value-logged
    print("new user password:", pw)
    # ruleid: vibeward.python.no_sensitive_data_in_logs.sensitive-value-logged
    current_app.logger.error("token refresh failed: " + request.headers.get("Authorization"))
    # ok: vibeward.python.no_sensitive_data_in_logs.sensitive-value-logged
    current_app.logger.info("signup from %s", request.form["email"])


class Client:
    def call(self):
        # ruleid: vibeward.python.no_sensitive_data_in_logs.sensitive-value-logged
        self.logger.debug("using api key %s", self.api_key)
        # ok: vibeward.python.no_sensitive_data_in_logs.sensitive-value-logged
        self.logger.debug("api key configured: %s", self.api_key is not None)
