from __future__ import annotations

import dataclasses
import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, cast

import pytest

from tracer import config
from tracer.classify import build_classifier, classification_record, classify, render_classification_text
from tracer.config import OrgConfig
from tracer.errors import ConfigError
from tracer.frameworks import _built
from tracer.lexicon import field_words, inflect, load_lexicon
from tracer.model import FRAMEWORKS, INDICATORS, Classification, Evidence, Ticket


@pytest.fixture(scope="module")
def default_config() -> OrgConfig:
    return config.load(None)


def run(cfg: OrgConfig, title: str, description: str = "", **fields: Any) -> Classification:
    return classify(Ticket(key="T-1", title=title, description=description, **fields), cfg)


# Traps: words a keyword classifier fires on, in a sense that is not security. Written for
# these tests, in the style of real tickets from many kinds of project.
TRAPS = [
    ("Stock ledger shows a negative balance for the warehouse", "The stock ledger report lists items below zero."),
    ("chore: add FUNDING.yml", "Adds a GitHub Sponsors button that links to our Open Collective ledger."),
    ("Add a FUNDING.yml", "The Sponsor button takes people straight to the payment page on Open Collective."),
    ("Cannot delete my comment", "The delete button on my own comment does nothing."),
    ("Cookie consent banner has low contrast on mobile", "Lighthouse flags the banner's links."),
    ("Add the HIPAA question to the FAQ", "People keep asking whether the hosted plan covers HIPAA."),
    ("Revert the blog post back to draft", "The editor lost the publish date."),
    ("Watch face not reading from Nightscout", "The data source URL returns nothing since the update."),
    ("Lexer emits an empty token at end of input", "The tokenizer yields a zero-length token after the last newline."),
    ("Design tokens: rename spacing token", "Rename the spacing-lg design token in the theme package."),
    ("Kanban card is cut off in narrow columns", "The card component overflows its grid column."),
    ("git checkout of tags fails in the release job", "The workflow runs git checkout on a detached HEAD and fails."),
    ("Add /healthz endpoint for the readiness probe", "Kubernetes needs a health check endpoint that returns 200."),
    ("Boss health bar does not refresh", "The health bar in the HUD stays full after the player hits the boss."),
    ("Lighthouse audit score dropped to 61", "The performance audit in Lighthouse flags large images."),
    (
        "npm audit reports advisories in dev dependencies",
        "Running npm audit lists three advisories in devDependencies.",
    ),
    (
        "Show the battery charge while charging",
        "The status bar hides the battery percentage while the phone is charging.",
    ),
    ("tmux session is not restored after reboot", "Saving the session and restoring it loses the pane layout."),
    ("Please be patient: nightly docs build is slow", "The build takes an hour, please be patient while it publishes."),
    ("Custom key bindings for the editor", "Let users change the keyboard shortcut key for save and search."),
    ("npm install -g fails with EACCES", "npm ERR! Error: EACCES: permission denied, mkdir '/usr/lib/node_modules'"),
    ("Fix 'Forgot password' label capitalisation", "The link label reads 'forgot Password' in the admin console."),
    ("Consent checkbox label is untranslated in Spanish", "The consent label shows English text in the es locale."),
    (
        "Update sponsorship section in README",
        "Add our GitHub Sponsors and Open Collective links; payments go to the foundation.",
    ),
    ("Speed up the patient list query", "The patient list takes four seconds to load; add an index on last_name."),
    (
        "Ledger stops responding when I confirm",
        "The confirmation screen on the Ledger stays open for a minute and then the app gives up.\n\n"
        "Versions: desktop app 2.3 on Windows 11; signing works when I use MetaMask instead.",
    ),
    ("zellij: attaching to the running session hangs", "zellij attach from inside a pane tries to attach to itself."),
    ("Invoice PDF shows a box instead of the euro sign", "The currency symbol on generated invoices is missing."),
    ("Lab results list is empty after refresh", "The lab results grid renders no rows until the page is reloaded."),
    ("Set permissions to write cache files", "next build fails: missing permissions on the .next/cache folder."),
    ("Prescription not dispensed when six are submitted", "The pharmacy queue drops one prescription of six."),
    (
        "Session restore reopens only the first document",
        "After an upgrade, session restore brings back one of ten files.",
    ),
    (
        "Add a Sponsor button for our PayPal donations",
        "Add .github/FUNDING.yml that links to the PayPal donation page.",
    ),
    (
        "Let people edit old journal entries",
        "Diary users want to change journal entries from earlier days, mood included.",
    ),
    ("Blog post: upgrading to bcrypt", "Adds a post to the blog, with a link from the archive page."),
    ("Verify link on the course certificate", "Print a link for verifying the certificate under the course name."),
    ("Patient list: sort by name", "Health workers want to sort by name instead of the last patient record opened."),
    ("Errors when connecting with Ledger", "Users cannot connect their Ledger device to the desktop app any more."),
    ("New role dropdown is not read by screen readers", "The accessibility of the new role menu is poor."),
    ("Remove users from a team", "The team owner cannot remove users from the team."),
    ("Add a new role for nginx", "Ansible role to install nginx."),
    ("Added frontend diagnosis logger info level", ""),
    ("Delete the user's avatar cache when it changes", ""),
    ("Payroll page doesn't run on Safari", ""),
    ("Keychain access prompt appears on every build", ""),
    ("Show the amount of approvals on the pull request", ""),
    ("IP filtering in the analytics dashboard", ""),
    ("Users inactive for 30 days are shown in grey", ""),
    ("Add Google Fonts Inter to the theme", ""),
    ("Cookie preferences page does not load in Safari", ""),
    ("Reverse the invoice list order", ""),
    ("Transaction verification emails go to spam", ""),
    ("Add a transaction verification step to the import", "The CSV import should verify transactions balance."),
    (
        "Make the last expenses on the dashboard editable",
        "Changing a recent expense takes several clicks through the Expense History page.",
    ),
    ("Delete members from a channel", "Moderators want to delete members from a channel."),
    (
        "Approval step for deployments",
        "Deployments above the staging threshold need an approval from the release manager.",
    ),
    ("Gift card number should be grouped in fours", "Add spaces between every 4 digits of the gift card number."),
    (
        "Notes field is not formatting correctly on the invoice",
        "Line breaks in the notes are lost; the bank details and sort code end up on one line.",
    ),
    ("Remember the most recently generated credit card", "Store it in localStorage for repeat users."),
    (
        "PDF not regenerated when the invoice number is changed",
        "Edit the invoice, change the number, the PDF still shows the old one.",
    ),
    ("Article audit: getting started with ARIA", "Audit the article's examples and check every audit link."),
    ("llama_tokenize: too many tokens", "Tokenize fails when the prompt is longer than the context window."),
    ("Option to restore the previous session", "Reopen the tabs that were open when the app was closed."),
    (
        "Checkout fails: local changes to the following files would be overwritten",
        "Files under cart/ and order/ are untracked, clean them and retry the merchant sync.",
    ),
    ("Charging session is not closed when the charger reboots", "The EVSE sends StopTransaction over OCPP late."),
    ("Dates are not tokenized correctly", "2024-01-05 is tokenized as three separate items."),
    ("Custom background image for the login page does not work on an iPad", "It works on the desktop browser."),
    ("Session restoration question", "After a crash, can the app reopen the last session with its open files?"),
    ("GPU is not listed under PCI devices", "After enabling passthrough in the VM settings the card is missing."),
    ("Option to not collect telemetry", "The CLI sends anonymous usage stats after each build."),
    (
        "Fix invoice pdf multipage",
        "Long invoices break the page layout and the IBAN block is printed twice under the totals; optional"
        " reconciliation of sub-cent rounding.",
    ),
    ("Users should not be able to create duplicate tags", "Creating a tag with an existing name adds a second one."),
    ("DICOM viewer does not load large series", "Scrolling through a CT series of 2,000 images freezes the viewer."),
    ("IN1 and IN2 segments are not recognised by the HL7 parser", "The ADT message parses, but without them."),
    (
        "Session with multiple windows only restores folds for one window",
        "Steps: open two windows, fold some lines, run :mksession and start vim -S Session.vim.",
    ),
    ("Clarify the Home Assistant token", "Say where to create a long-lived access token: in the UI, not websockets."),
    ("The forgot password link is covered by the Back button", "Open the login page on a phone to see it."),
    ("Patient zero: the first crash report", "Tracking the earliest occurrence of the memory leak."),
    ("Session timer in the quiz resets on refresh", "Students refresh the page to restart the quiz session timer."),
    ("Audit the bundle size of the checkout page", "The checkout bundle is 1.2 MB; lazy-load the address form."),
    ("2FA setup screen: QR code too small on mobile", "Users cannot scan it on small phones."),
    ("Session 3 slides missing from the course repo", "The workshop session 3 folder is empty."),
    ("Patient search returns results in random order", "Sort by last name by default."),
    ("Vitals chart does not show units", "Blood pressure values have no mmHg label."),
    ("Export trial balance to Excel", "Accountants want an XLSX export."),
    ("Journal entry form: tab order is wrong", "Pressing tab jumps from debit to memo."),
    ("Update the README with a link to the GDPR section", "Link to the privacy docs."),
    (
        "Selecting a 10K patient list takes time to load",
        "The study summary shows the patient list and its clinical data after a minute.",
    ),
    ("Records can be sorted in the Search Patients window", "Preferably by date of the last visit."),
    ("Refund policy page returns 404", "The footer links to /refund-policy, which does not exist."),
    ("User avatar upload preview is stretched", "Portrait images look distorted in the preview."),
    ("In paginated forums only the first page can be seen", "Clicking page 2 reloads page 1."),
    ("Translate the GDPR consent banner to Italian", "The banner text is English only."),
    (
        "chore: add FUNDING.yml",
        "The Sponsor button takes people straight to the payment page, and Open Collective's ledger shows"
        " where every dollar goes.",
    ),
    (
        "GPU does not show up under PCI devices",
        "I am passing the GPU through to a virtual machine, the server is headless. In the web UI I open the"
        " guest, click Edit and go to the Pci tab: my network card is listed there, but not pci_0000_27_00_0.",
    ),
    ("General Ledger report is slow for large companies", "It takes 40 seconds with 2M GL entries."),
    ("Payroll entry takes long for 5000 employees", "Creating the salary slips times out."),
    # a link's words are no exception to a typo fix: "Portability" here is not data portability
    ("Fix HIPAA typo", "It is HIPAA, not HIPPA: https://en.wikipedia.org/wiki/Health_Insurance_Portability_Act"),
    ("Fix SQL formatting in the docs", "The query examples are not indented."),
    ("Commit hash missing from the about page", "Show the short hash of the build."),
    ("Pin GitHub Actions to a commit hash", "Use the full hash instead of the tag."),
    ("The DICOM viewer can open multiframe images", "Add support for enhanced multiframe."),
    ("Collaborators can edit the document in real time", "Show each cursor in its own colour."),
    ("Chat sidebar lists the names of other users online", "Sorted by name."),
    ("Remove all traces of the old API from the codebase", "It was replaced in v2."),
    ("Erase the canvas when the user clicks clear", "Today the old strokes stay."),
    ("Send the weekly report by email to the public mailing list", "Every Monday at nine."),
    ("Users can see all their orders on one page", "Today they are split by year."),
    ("Set max image size for thumbnails to 200px", "The gallery grid looks uneven."),
    ("Invoice notes field should be editable", "The textarea is read-only by mistake."),
    ("Admin users can't see the error log", "The page stays blank."),
    # a conference's sessions, moved to another slot
    ("Re-scheduling sessions is using UTC time", "The schedule creator prints UTC, not the local time zone."),
    ("General ledger report is taking too much time", "With 2M journal entries it times out."),
    ("Update copy for the upload error", "Say which file types are allowed."),
    ("Checkout: add bottom and left position to the mobile pay button", "It hides the total."),
    ("Checkout on mobile - can't see cart", "On the checkout page the cart summary is cut off."),
]


@pytest.mark.parametrize(("title", "description"), TRAPS)
def test_traps_are_not_security_relevant(default_config: OrgConfig, title: str, description: str) -> None:
    result = run(default_config, title, description)
    assert not result.security_relevant, [(h.name, [e.text for e in h.evidence]) for h in result.indicators]
    assert result.frameworks == ()
    assert result.risk.level == "low"


POSITIVES = [
    (
        "Nurses can open lab results of patients on other wards",
        "Any nurse account can read the lab results of every patient; add a ward-level access check.",
        {"health_data", "authorization"},
        {"HIPAA"},
    ),
    (
        "Mask the PAN on the order confirmation page",
        "The confirmation page prints the full card number; show only the last four digits.",
        {"payment"},
        {"PCI-DSS"},
    ),
    (
        "Posted journal entries can be edited without approval",
        "Any accountant can change amounts on posted entries in the general ledger.",
        {"financial_records"},
        {"SOX"},
    ),
    (
        "Let users export and delete their personal data",
        "Implement the GDPR right to erasure and data portability from the profile page.",
        {"personal_data"},
        {"GDPR"},
    ),
    (
        "Enforce MFA for all admins of the organization",
        "Organization owners of our hosted service want to require two-factor authentication for every admin.",
        {"authentication"},
        {"SOC2"},
    ),
    (
        "Search endpoint is vulnerable to SQL injection",
        "The q parameter is concatenated into the SQL string.",
        {"database"},
        set(),
    ),
    (
        "Validate uploaded avatar files",
        "Check the MIME type and size of uploaded images before storing them.",
        {"file_upload"},
        set(),
    ),
    (
        "Session cookie lacks HttpOnly and SameSite",
        "The session cookie can be read by scripts, which makes XSS worse.",
        {"session"},
        set(),
    ),
    (
        "Changing the ID in the URL shows another vendor's orders",
        "Open /dashboard/orders/6327 as vendor A with the order id of vendor B and the page loads.",
        {"authorization"},
        set(),
    ),
    (
        "Patient names written to the application log",
        "The import job logs the patient name and MRN of every row it reads.",
        {"health_data", "logging_audit"},
        {"HIPAA"},
    ),
    (
        "Edits to an invoice are not logged in its history",
        "After a payment is recorded, changing the invoice amount leaves no entry in the invoice history.",
        {"financial_records", "logging_audit"},
        {"SOX"},
    ),
    (
        "Partial capture charges the full authorized amount",
        "The gateway captures the whole pre-authorization instead of the amount we pass.",
        {"payment", "third_party_api"},
        {"PCI-DSS"},
    ),
    (
        "Workspace admins can require two-factor authentication",
        "Add a setting so that admins of a workspace can enforce 2FA for every member.",
        {"authentication", "authorization"},
        {"SOC2"},
    ),
    (
        "Managers can approve expenses of their own team only",
        "Let the finance manager approve expenses even when they are not the employee's manager.",
        {"financial_records", "authorization"},
        {"SOX"},
    ),
    (
        "Erase a customer's personal data when they ask",
        "Under GDPR the data must be deleted on request, from the orders table too.",
        {"personal_data", "database"},
        {"GDPR"},
    ),
    (
        "Disallow changing the total of an issued invoice",
        "Editing should only touch line items; today the invoice total can be overwritten by hand.",
        {"financial_records"},
        {"SOX"},
    ),
    (
        "Encounters for the wrong patient appearing",
        "Create a new patient and open the encounters tab: it lists visits we never made.",
        {"health_data"},
        {"HIPAA"},
    ),
    (
        "Log admin actions",
        "When an admin edits a user's account, record who did what and when.",
        {"logging_audit", "authorization"},
        {"SOC2"},
    ),
    (
        "Orders can be seen in other users' carts",
        "Add the HttpOnly flag too: the order list is read from a cookie shared across users.",
        {"authorization", "session"},
        set(),
    ),
    (
        "Newsletter opt-in must be unchecked on sign-up",
        "The checkbox for marketing emails is pre-checked; make it an explicit choice.",
        {"personal_data"},
        {"GDPR"},
    ),
    (
        "Hide visitors' IP addresses in the statistics",
        "We publish the stats page and want to truncate the last octet of every IP address for privacy.",
        {"personal_data"},
        {"GDPR"},
    ),
    (
        "Load analytics only after cookie consent",
        "Add a cookie consent banner and start the tracking scripts once the visitor accepts.",
        {"personal_data", "third_party_api"},
        {"GDPR"},
    ),
    (
        "Gapless invoice numbering",
        "Our tax office requires invoice numbering without sequence gaps once an invoice is issued.",
        {"financial_records"},
        {"SOX"},
    ),
    (
        "Only admins should pick the role of a new member",
        "Right now the role select on the invite form is editable for everybody.",
        {"authorization"},
        set(),
    ),
    (
        "Rotate the AWS access keys committed in .env",
        "The access key id and secret access key in the repository must be treated as compromised.",
        {"third_party_api"},
        set(),
    ),
    (
        "Anonymize patient names in DICOM headers",
        "De-identify the PatientName and PatientID tags before the studies are shared.",
        {"health_data"},
        {"HIPAA"},
    ),
    (
        "Better message when a card is declined",
        "The card reader shows a white box when the card was declined by the issuer.",
        {"payment"},
        {"PCI-DSS"},
    ),
    (
        "Route purchase orders above the approval threshold to the CFO",
        "Add spend thresholds per department to the purchase order approval workflow.",
        {"financial_records", "authorization"},
        {"SOX"},
    ),
    (
        "Warn, then erase inactive accounts",
        "Accounts nobody signs into keep their email address forever; erase inactive accounts after two years.",
        {"personal_data"},
        {"GDPR"},
    ),
    (
        "Make recordings available only to logged-in participants",
        "Today anyone with the link can watch the workshop recordings.",
        {"authorization"},
        set(),
    ),
    (
        "User requested information removal",
        "How do we honour a removal request from a visitor for the IP address data we collected?",
        {"personal_data"},
        {"GDPR"},
    ),
    (
        "Log every impersonation",
        "Support staff can impersonate citizens; add impersonation logging visible to admins.",
        {"logging_audit"},
        {"SOC2"},
    ),
    (
        "Client notes can be edited by anyone",
        "Any member assigned to a task can change the notes; restrict it to the note's author.",
        {"authorization"},
        set(),
    ),
    (
        "Do not print the PIN in debug output",
        "At debug level 3 the actual PIN is logged with the request.",
        {"logging_audit"},
        set(),
    ),
    (
        "Remove what is left of members who requested data deletion",
        "Replace the remaining identifying data of those members after ten years.",
        {"personal_data"},
        {"GDPR"},
    ),
    (
        "Option to turn off certificate verification globally",
        "Passing verify=False per request avoids CERTIFICATE_VERIFY_FAILED; we want one setting for all requests.",
        {"cryptography"},
        set(),
    ),
    (
        "Lock the payroll once it is approved",
        "After a payroll run is approved nobody can change the wages in it.",
        {"financial_records"},
        {"SOX"},
    ),
    (
        "Payments skip separation of duties",
        "A bookkeeper can enter and approve the same payment batch.",
        {"authorization", "financial_records"},
        {"SOX"},
    ),
    ("Turn on anonymizeIp for the analytics tag", "", {"personal_data"}, {"GDPR"}),
    ("Add an IP anonymization option", "", {"personal_data"}, {"GDPR"}),
    (
        "Access log privacy",
        "Drop the last two octets of every IP address before the line is written.",
        {"personal_data", "logging_audit"},
        {"GDPR"},
    ),
    ("Add a 'request your data' link to the account settings", "", {"personal_data"}, {"GDPR"}),
    ("Members can ask for personal data deletion", "", {"personal_data"}, {"GDPR"}),
    ("Let users delete their own account", "", {"personal_data"}, {"GDPR"}),
    ("Add a personal data exporter for the plugin's tables", "", {"personal_data"}, {"GDPR"}),
    ("Members want their data deleted when they leave", "", {"personal_data"}, {"GDPR"}),
    (
        "Password hashes leak with the user data",
        "Request user data from the user controller and the password fields are part of the response.",
        {"authentication", "personal_data"},
        set(),  # an HTTP request for user data is no data-subject request
    ),
    (
        "Send the card code with profile transactions",
        "The API answers 'Card Code is required' since the last release.",
        {"payment"},
        {"PCI-DSS"},
    ),
    ("Refunds fail with Cielo", "", {"payment", "third_party_api"}, {"PCI-DSS"}),
    ("Fix path traverse in the export endpoint", "", {"authorization"}, set()),
    ("How do I delete my Acme account?", "I tried Settings and every other option.", {"personal_data"}, {"GDPR"}),
    ("Recurring donations stop after the first month", "", {"payment"}, {"PCI-DSS"}),
    ("Invoices can be set back to draft after they were sent", "", {"financial_records"}, {"SOX"}),
    ("Generate a random JWT secret on first start", "", {"authentication", "cryptography"}, set()),
    ("Debug mode writes the token to the log", "", {"authentication", "logging_audit"}, set()),
    ("Write Firestore security rules", "", {"authorization", "database"}, set()),
    ("Integrate with Dexcom Clarity", "", {"health_data", "third_party_api"}, {"HIPAA"}),
    ("Stop sending page titles to Google Analytics, for privacy", "", {"personal_data"}, {"GDPR"}),
    ("Enable RLS on the claims table", "", {"authorization"}, set()),
    (
        "Support fiscalisation for Italian receipts",
        "Every sale must go through the fiscal printer before the receipt is handed out.",
        {"financial_records"},
        {"SOX"},
    ),
    (
        "Unsubscribing from the weekly digest does not stick",
        "People keep getting the mail after they clicked the link.",
        {"personal_data"},
        {"GDPR"},
    ),
    (
        "Card payments fail in sandbox mode",
        "The sandbox credentials are rejected since yesterday.",
        {"payment", "third_party_api"},
        {"PCI-DSS"},
    ),
    (
        "Orders stay pending when the payment gateway reports a pending capture",
        "",
        {"payment", "third_party_api"},
        {"PCI-DSS"},
    ),
    (
        "Self-host the Google Fonts",
        "Loading fonts from Google sends every visitor's IP address to Google, which is not GDPR compliant.",
        {"personal_data", "third_party_api"},
        {"GDPR"},
    ),
    ("[FIX] l10n_mx_edi: block deleting the journal entry of a posted invoice", "", {"financial_records"}, {"SOX"}),
    (
        "Admins cannot delete a user who has comments",
        "Deleting the user fails with a foreign key error, so the account and its data stay.",
        {"personal_data"},
        {"GDPR"},
    ),
    ("Export user data from the account page", "", {"personal_data"}, {"GDPR"}),
    ("Lab staff should only have access to their department", "", {"authorization"}, set()),
    ("Refund webhook sets the wrong order status", "", {"payment", "third_party_api"}, {"PCI-DSS"}),
    ("IPN listener rejects valid notifications", "", {"payment"}, {"PCI-DSS"}),
    (
        "Route purchase requests above the budget to a second approver",
        "Once the department head approves, the finance approval is still needed.",
        {"financial_records"},
        {"SOX"},
    ),
    ("Block edits of transactions in a closed FYE", "", {"financial_records"}, {"SOX"}),
    ("Add a button to download user profile data", "", {"personal_data"}, {"GDPR"}),
    ("Stop storing ip adresses in the access logs", "", {"personal_data", "logging_audit"}, {"GDPR"}),
    ("Discord bot token written to the console", "", {"third_party_api", "logging_audit"}, set()),
    ("The CLI prints the API key to stdout on errors", "", {"logging_audit"}, set()),
    ("Reset pw links should expire", "", {"authentication"}, set()),
    ("Migrate the token store to libsodium", "", {"cryptography"}, set()),
    ("Keep the refresh secret in flutter secure storage", "Not in shared preferences.", {"cryptography"}, set()),
    ("Add size and type validation for avatar inputs", "", {"file_upload"}, set()),
    (
        "Purchases above the threshold require approval",
        "The amount limit is configurable per department.",
        {"financial_records"},
        {"SOX"},
    ),
    ("Add a reject all button to the cookies banner", "", {"personal_data"}, {"GDPR"}),
    ("Ability to download all data related to an account", "", {"personal_data"}, {"GDPR"}),
    ("Reactivation of invoices", "", {"financial_records"}, {"SOX"}),
    ("Edited transactions do not reflect on reports", "", {"financial_records"}, {"SOX"}),
    ("Add a method to void authorized transactions", "", {"payment"}, {"PCI-DSS"}),
    ("Scrub PII before crash reports go to Sentry", "", {"personal_data", "logging_audit"}, set()),
    ("Diagnostics download contains the camera password", "", {"logging_audit"}, set()),
    ("The apikey is shown in the debug console", "", {"logging_audit"}, set()),
    ("Add a receptionist role", "Receptionists book appointments.", {"authorization"}, set()),
    ("Editing other users posts", "Attackers can change the title of every post.", {"authorization"}, set()),
    (
        "Users can edit each other's profiles",
        "Swapping out the user id in the profile edit page works for anyone logged in.",
        {"authorization"},
        set(),
    ),
    ("Add IP whitelisting for the admin portal", "", {"authorization"}, set()),
    ("Activity feed does not log expense deletions", "", {"financial_records", "logging_audit"}, {"SOX"}),
    (
        "Add the concept of month closing",
        "Prevent changes to transactions in closed months.",
        {"financial_records"},
        {"SOX"},
    ),
    (
        "Self host Google Fonts",
        "Serving fonts from Google's CDN sends data about our users to Google.",
        {"personal_data", "third_party_api"},
        {"GDPR"},
    ),
    ("Users can remove their accounts", "", {"personal_data"}, {"GDPR"}),
    ("Upload treatments to Nightscout", "", {"health_data", "third_party_api"}, {"HIPAA"}),
    (
        "Finance: approve endpoint",
        "We need an endpoint to approve the reimbursement request from the finance team.",
        {"financial_records"},
        {"SOX"},
    ),
    (
        "Issue a credit note to correct the invoice",
        "The sales module cannot reverse the invoice issued previously.",
        {"financial_records"},
        {"SOX"},
    ),
    (
        "Filesystem traversal outside of the files folder",
        "Adding ../ to the file parameter lets anyone read files outside of the configured path.",
        {"authorization"},
        set(),
    ),
    (
        "Void a transaction instead of deleting it",
        "Deleting loses who removed the entry and when.",
        {"financial_records"},
        {"SOX"},
    ),
    ("My subscription was charged twice", "", {"payment"}, {"PCI-DSS"}),
    ("Partial shipment captures the entire auth amount", "", {"payment"}, {"PCI-DSS"}),
    ("Redact HIV status for users without the permission", "", {"authorization", "health_data"}, {"HIPAA"}),
    (
        "Add a subscribe to mailing list checkbox at checkout",
        "It should be ticked by default.",
        {"personal_data"},
        {"GDPR"},
    ),
    (
        "Consent-based caregiver access",
        "Caregivers see only the recovery data the patient consents to share.",
        {"health_data"},
        {"HIPAA"},
    ),
    (
        "Data of inactive users is removed after 90 days",
        "For compliance (GDPR, HIPAA, ISO 27001) the retention job runs nightly.",
        {"personal_data"},
        {"GDPR"},
    ),
    (
        "Webhooks are not triggered after a payment",
        "The payment succeeds but our endpoint never receives the webhook.",
        {"payment", "third_party_api"},
        {"PCI-DSS"},
    ),
    ("Add transaction verification", "Call the verify endpoint before giving value.", {"payment"}, {"PCI-DSS"}),
    ("Conekta checkout returns an error", "", {"payment", "third_party_api"}, {"PCI-DSS"}),
    ("Data export for users", "Let users export all of the data they contributed.", {"personal_data"}, {"GDPR"}),
    (
        "Safeguards for the deletion of invoices",
        "A deleted invoice should go to a recycle bin.",
        {"financial_records"},
        {"SOX"},
    ),
    (
        "Tamper-evident audit log",
        "SOC 2, ISO 27001 and HIPAA all require an audit trail of admin actions; keep it with a retention policy.",
        {"logging_audit"},
        {"SOC2"},
    ),
    (
        "Customers are billed twice when they renew on the subscription page",
        "A duplicate payment is created when the renewal form is submitted twice.",
        {"payment"},
        {"PCI-DSS"},
    ),
    (
        "Transbank Webpay: authorization fails with an invalid transaction status",
        "The return URL gets a rejected status although the bank approved it.",
        {"payment"},
        {"PCI-DSS"},
    ),
    (
        "Stop writing the customer's emailaddress to the logfile",
        "The mailer logs every recipient in plain text.",
        {"logging_audit", "personal_data"},
        set(),
    ),
    (
        "Tokenize the customer's card in the browser",
        "The PAN must never reach our servers: the form sends it to the vault and we store the token.",
        {"payment"},
        {"PCI-DSS"},
    ),
    (
        "Compatibility with the latest Authorize.Net changes",
        "Their SIM API is deprecated.",
        {"payment", "third_party_api"},
        {"PCI-DSS"},
    ),
    (
        "World Pay callback is not verified",
        "Anyone can post a fake success callback and the order is marked paid.",
        {"payment"},
        {"PCI-DSS"},
    ),
    (
        "Do not allow to reopen a journal after the financial close",
        "Accountants can still change it later.",
        {"financial_records"},
        {"SOX"},
    ),
    (
        "Deleting an account leaves the uploads online",
        "The files of a deleted user stay reachable by URL.",
        {"personal_data"},
        {"GDPR"},
    ),
    (
        "Stop recording IP addresses of visitors",
        "We keep them forever in the access table.",
        {"personal_data"},
        {"GDPR"},
    ),
    (
        "Option to not collect the user's location",
        "The app asks for GPS on every start although the feature works without it.",
        {"personal_data"},
        {"GDPR"},
    ),
    (
        "Add support for SMART-on-FHIR scopes",
        "On every FHIR request, check the patient/*.read and user/*.write scopes of the access token.",
        {"authentication", "authorization", "health_data"},
        {"HIPAA"},
    ),
    ("How do I delete my profile?", "I cannot find a command for it in the bot.", {"personal_data"}, {"GDPR"}),
    ("Integrate S3 storage", "Keep the clinical documents in a private bucket.", {"health_data"}, {"HIPAA"}),
    ("fix(api): check project membership before returning issues", "", {"authorization"}, set()),
    ("SVG upload allows script execution", "A script in an uploaded SVG runs when opened.", {"file_upload"}, set()),
    ("Sales Invoice can be edited after submission", "", {"financial_records"}, {"SOX"}),
    (
        "Guest users see internal notes on tickets",
        "Internal notes should be visible to agents only.",
        {"authorization"},
        set(),
    ),
    ("API: missing 403 when editing another user's comment", "PATCH returns 200 for anyone.", {"authorization"}, set()),
    ("Allow org owners to transfer ownership", "It can only be changed in the database.", {"authorization"}, set()),
    ("Scope API tokens to a single project", "Tokens reach every project of the user.", {"authorization"}, set()),
    ("Private channels show up in search for non-members", "", {"authorization"}, set()),
    ("Editors can change site settings", "They should be restricted to administrators.", {"authorization"}, set()),
    ("Hide the delete button for non-owners", "A document is deleted by its owner.", {"authorization"}, set()),
    ("Check the user's tenant before returning the document", "", {"authorization"}, set()),
    ("Managers should approve time entries of their team only", "", {"authorization"}, set()),
    ("Students can see each other's grades", "", {"authorization"}, set()),
    ("Passport scans stored in a public bucket", "", {"personal_data"}, set()),
    ("Employee salaries visible to all managers", "", {"authorization"}, set()),
    ("Normal users can access /admin", "Typing the URL opens the dashboard.", {"authorization"}, set()),
    ("User can change their own role to admin via the profile form", "", {"authorization"}, set()),
    ("The delete endpoint doesn't verify that the item belongs to the user", "", {"authorization"}, set()),
    ("Admin only settings are visible in the menu for regular users", "", {"authorization"}, set()),
    ("Location history kept indefinitely", "We store every GPS point users ever sent.", {"personal_data"}, {"GDPR"}),
    (
        "Contacts sync uploads the whole address book without asking",
        "The app sends all contacts to our server on first start.",
        {"personal_data"},
        {"GDPR"},
    ),
    ("Let members opt out of profiling", "For the personalised recommendations.", {"personal_data"}, {"GDPR"}),
    ("GDPR Article 15: user data export", "Let users download what we store about them.", {"personal_data"}, {"GDPR"}),
    (
        "Removed team members keep access to shared boards",
        "After removal they can still open boards through old links.",
        {"authorization"},
        set(),
    ),
    ("MRN shown in the page title", "The browser tab title includes the MRN.", {"health_data"}, {"HIPAA"}),
    ("Sign the BAA with our SMS provider", "Before we send appointment texts.", {"health_data"}, {"HIPAA"}),
    (
        "Account closure should remove uploaded photos",
        "When a user closes their account the photos stay in the bucket.",
        {"personal_data", "file_upload"},
        {"GDPR"},
    ),
    (
        "No version history for changes in submitted Purchase Orders",
        "Amending a purchase order creates a new document, but what changed is not tracked.",
        {"financial_records", "logging_audit"},
        {"SOX"},
    ),
    (
        "Approved expense reports can be edited by the submitter",
        "After the manager approves, the submitter can still change the amount.",
        {"financial_records"},
        {"SOX"},
    ),
    (
        "Appointment reminder texts include the reason for the visit",
        "Remove clinical details from the reminders.",
        {"health_data"},
        {"HIPAA"},
    ),
    (
        "JWT signature is not verified",
        "The middleware decodes the token without checking the signature.",
        {"authentication", "cryptography"},
        set(),
    ),
    ("feat(ehr): restrict note access to the treating provider", "", {"authorization", "health_data"}, {"HIPAA"}),
    (
        "Payment Entry amended without reversing the GL Entry",
        "After amending a submitted entry the old GL entries remain.",
        {"financial_records"},
        {"SOX"},
    ),
    (
        "Receptionist role can open the clinical summary",
        "It should only show the appointment details.",
        {"authorization", "health_data"},
        {"HIPAA"},
    ),
    (
        "Deleting a transaction is immediate",
        "One click removes it from the books; there is no undo.",
        {"financial_records"},
        {"SOX"},
    ),
    (
        "Mass assignment of users",
        "Adding user[is_admin]=1 to the profile form makes me an admin.",
        {"authorization"},
        set(),
    ),
    ("Disable IP tracking", "Can the plugin stop tracking player IPs?", {"personal_data"}, {"GDPR"}),
    (
        "Anonymous review leaks speaker names",
        "If a CFP is anonymous, reviewers should not be able to see any information about the submitters.",
        {"authorization"},
        set(),
    ),
    (
        "Tech's shouldn't be able to approve orders",
        "The orders they create must go to a supervisor with the approver role.",
        {"authorization"},
        set(),
    ),
    (
        "Mask private information before it is logged",
        "Usernames and emails should be logged as ma****ek, never in full.",
        {"logging_audit", "personal_data"},
        set(),
    ),
    # how a query is built is SQL construction, though the title reads as cosmetic or housekeeping
    ("Raw SQL in the report builder uses string formatting", "", {"database"}, set()),
    ("Refactor raw SQL queries to use parameterized queries", "", {"database"}, set()),
    # a standard or an algorithm before a number is no tracker key
    ("Use AES-128-GCM for the backups", "", {"cryptography"}, set()),
    ("Checks can't be cancelled: journal items are not reverted", "", {"financial_records"}, {"SOX"}),
    # read from set J: an app's own lock, consent to analytics
    ("Bypass App Lock via Screen Pinning", "The app opens without asking for the PIN.", {"authentication"}, set()),
    ("Add analytics opt-out?", "Some users do not want to be counted.", {"personal_data"}, {"GDPR"}),
    ("Members should be able to request all of their data", "", {"personal_data"}, {"GDPR"}),
    # read from set K
    ("SQL inject found in one_page_student", "The id parameter goes straight into the query.", {"database"}, set()),
    ("Erase candidate data should appear even if status is deleted", "", {"personal_data"}, {"GDPR"}),
    # read from set L
    ("Privacy issue: emails are public via the API", "", {"personal_data"}, set()),
    ("Members can access the Staff Information forum", "", {"authorization"}, set()),
    (
        "Moderation log within an instance",
        "Admins want to see which moderator removed a post.",
        {"logging_audit"},
        set(),
    ),
    # read from sets F, G and H
    ("Agents can see all the ticket subjects", "Even of tickets in groups they are not in.", {"authorization"}, set()),
    ("Product image size must be less than 5MB", "Larger photos make the page slow.", {"file_upload"}, set()),
    ("Open unpaid invoices should be destroyable and editable", "", {"financial_records"}, {"SOX"}),
    ("Backup log contains the BACKUP_PROG_CRYPT_KEY", "The key is printed in clear.", {"logging_audit"}, set()),
    ("Restrict cluster operator priviledges when in cluster wide mode", "", {"authorization"}, set()),
    (
        "Prevent a user to pay themselves",
        "A payment request they created must be approved by another user.",
        {"authorization"},
        {"SOX"},
    ),
    # read from set E: XSS, admin audit logs, exports and access said in a bug report's own words
    ("Chat can be injected by script commands", "Messages are rendered as HTML for every user.", {"session"}, set()),
    ("Admin preferences log", "Changes of preferences in the admin area should be logged.", {"logging_audit"}, set()),
    ("Allow users to export their own data", "Posts, images and login history.", {"personal_data"}, {"GDPR"}),
    ("As a student, I can view gradebook details for other classes", "", {"authorization"}, set()),
    (
        "Assign notes to a particular user",
        "Only users with that tag could view the note; today the whole team reads it.",
        {"authorization"},
        set(),
    ),
    (
        "Fix SVG upload rejection for avatars and logos",
        "The file type validation rejects valid SVGs.",
        {"file_upload"},
        set(),
    ),
    # a credential or an identifier kept as its hash
    ("Store refresh tokens hashed", "", {"authentication", "cryptography"}, set()),
    ("Hash email addresses before sending them to the analytics export", "", {"cryptography"}, set()),
    # a login that outlives what should end it
    ("Users remain logged in after a password change", "", {"session"}, set()),
    # access that outlives its revocation; a lesser role doing what only another may
    ("Shared link still accessible after the share is deleted", "", {"authorization"}, set()),
    ("Repository collaborators with read access can delete branches", "", {"authorization"}, set()),
    ("Guest accounts can list all public channels", "", {"authorization"}, set()),
    ("Customer portal shows the orders of other customers", "", {"authorization"}, set()),
    # data-subject rights and a record's integrity in plain words
    ("Users want to download everything we store about them", "", {"personal_data"}, {"GDPR"}),
    ("Remove all traces of a user when they close their account", "", {"personal_data"}, {"GDPR"}),
    ("Deleted invoices leave no trace", "", {"financial_records"}, {"SOX"}),
]


@pytest.mark.parametrize(("title", "description", "indicators", "frameworks"), POSITIVES)
def test_security_tickets(
    default_config: OrgConfig, title: str, description: str, indicators: set[str], frameworks: set[str]
) -> None:
    result = run(default_config, title, description)
    assert result.security_relevant
    assert indicators <= set(result.indicator_names)
    assert set(result.framework_names) == frameworks


# Words that say something else here: the indicator must not fire (the ticket may still be security work).
NOT_THIS_INDICATOR = [
    # a tracker key's project part is no word of the ticket
    ("PAY-12 Login fails", "Blocked by PAY-123 and AUTH-77.", "payment"),
    # 3-D Secure's "authentication" is the card payment's step, not a login
    ("Payment fails for cards that need 3D Authentication", "The challenge iframe never loads.", "authentication"),
    # a login that outlives an idle timeout is session work, not authentication
    (
        "UI is not logging the user out on idle",
        "They are still logged in after the idle timeout; the logout never happens.",
        "authentication",
    ),
    (
        "Login fails inside the Electron sandbox",
        "With the renderer sandbox enabled, the password check never runs.",
        "third_party_api",
    ),
    (
        "Move the API key to an Authorization header",
        "It is written to the access log as a query string.",
        "authorization",
    ),
    (
        "Validate redirect_uri in the OAuth flow",
        "The authorization server accepts any redirect URI, so the code can go to an attacker.",
        "authorization",
    ),
    ("Charge authorization code needs a PIN", "Paystack asks for the card PIN.", "authentication"),
    ("SIM API (Authorize.Net) is deprecated", "Move the hosted form to Accept.js before the cut-off.", "authorization"),
    (
        "Lock my journal entries behind a PIN",
        "Encrypt the entries so nobody with access to the device can read them.",
        "financial_records",
    ),
    (
        "Path traversal in the download endpoint",
        "GET /download?file=../../etc/passwd returns the file.",
        "authentication",
    ),
    (
        "Any authenticated user can delete comments",
        "Deleting needs the moderator role; today any user can.",
        "authentication",
    ),
    (
        "Invalidate sessions when the password changes",
        "Change the password in one browser: we should log you out of the other one.",
        "logging_audit",
    ),
    ("PowerAdmin: store passwords with bcrypt", "PowerAdmin keeps MD5 hashes of user passwords.", "authorization"),
    (
        "Redact API keys in debug logs",
        "Anyone reading the logs does not need to know the full key; print the last four characters.",
        "authorization",
    ),
    (
        "Default SECRET_KEY committed to the repository",
        "The Flask secret key signs the session cookie.",
        "third_party_api",
    ),
    (
        "Adyen payment fails for cards that need 3D Secure authentication",
        "The issuer's challenge never opens and the payment times out.",
        "authentication",
    ),
    ("Upload test results to the dashboard", "JUnit test results should be visible in the CI report.", "health_data"),
    ("Print the password reset page nicely", "The print layout of the page is broken.", "logging_audit"),
    ("Console shows a warning about the password input autocomplete", "", "logging_audit"),
    ("Cookie settings for the session cookie", "Set SameSite and Secure in the cookie settings.", "personal_data"),
    (
        "Anonymize patient names in DICOM headers",
        "Strip the identifying tags of each study before export.",
        "personal_data",
    ),
    (
        "Nurses see patients of other wards",
        "Log in as a nurse of ward A, then log in as a nurse of ward B: both can see the patients of other wards.",
        "authentication",
    ),
]


# Security work that a word would put under one framework too many.
NOT_THIS_FRAMEWORK = [
    # "PCI-516" is another ticket's key, not PCI DSS
    ("PCI-516 CSRF token injection on all POST forms", "Add the token to every form.", "PCI-DSS"),
    # an invoice named in other security work is no accounting-record integrity
    ("Fix SQL injection via ORDER BY in the invoice grid", "The sort column is concatenated into the query.", "SOX"),
    ("Client IP logged as 127.0.0.1 behind the reverse proxy", "", "GDPR"),
    ("Payslip PDF prints the wrong month", "The downloaded payslip shows last month in the header.", "SOX"),
    (
        "Webhook invoice.payment_succeeded fails for new members",
        "Stripe sends the invoice event but the member is not found.",
        "SOX",
    ),
    ("Refunds", "Generate credit notes for refunds with a reference to the original invoice.", "PCI-DSS"),
    ("Show refund status in the order history", "", "PCI-DSS"),
    ("Delete the account settings cache on logout", "", "GDPR"),
    (
        "Admin approval for new user accounts",
        "Only admins can approve. New accounts wait for approval, with a limit of ten sign-ups per day.",
        "SOX",
    ),
    ("Voiding fails at the gateway", "Stripe returns an error when we void transactions of captured cards.", "SOX"),
    ("Ledger: add a void transaction endpoint", "Voiding must keep the original entry for the audit trail.", "PCI-DSS"),
    (
        "Payment hook not called after the update",
        "The update was made due to approval of the payment by the gateway, then the order status changed.",
        "SOX",
    ),
    (
        "Login has no rate limiting",
        "The audit ledger records logins, but an attacker can guess passwords without limit.",
        "SOX",
    ),
    (
        "Audit trail for admin actions",
        "Record logins, role changes and delete user actions in the admin audit log.",
        "GDPR",
    ),
    (
        "Google OAuth client secret committed in the installer",
        "The OAuth consent screen shows our app name; the client secret sits in plain text in the script.",
        "GDPR",
    ),
]


@pytest.mark.parametrize(("title", "description", "framework"), NOT_THIS_FRAMEWORK)
def test_words_do_not_add_a_framework_the_work_does_not_touch(
    default_config: OrgConfig, title: str, description: str, framework: str
) -> None:
    result = run(default_config, title, description)
    assert result.security_relevant
    assert framework not in result.framework_names, [(f.name, [e.text for e in f.evidence]) for f in result.frameworks]


@pytest.mark.parametrize(("title", "description", "indicator"), NOT_THIS_INDICATOR)
def test_words_in_another_sense_do_not_fire(
    default_config: OrgConfig, title: str, description: str, indicator: str
) -> None:
    result = run(default_config, title, description)
    assert result.security_relevant
    assert indicator not in result.indicator_names, [(h.name, [e.text for e in h.evidence]) for h in result.indicators]


def test_whole_words_only(default_config: OrgConfig) -> None:
    result = run(
        default_config, "Repayment schedule for the logistics cardigan catalogue", "Keypass and compass icons."
    )
    assert not result.security_relevant


def test_inflections_match(default_config: OrgConfig) -> None:
    result = run(default_config, "Files uploaded by customers are never scanned", "")
    assert "file_upload" in result.indicator_names
    assert "uploaded" in inflect("upload") and "logged" in inflect("log") and "policies" in inflect("policy")


def test_acronyms_keep_their_case(default_config: OrgConfig) -> None:
    assert "payment" in run(default_config, "Do not store the PAN after authorization", "").indicator_names
    assert not run(default_config, "Pan and zoom on the map view", "").security_relevant


def test_camel_case_identifiers_are_words(default_config: OrgConfig) -> None:
    text = "The resetPassword handler never expires the link."
    result = run(default_config, "Reset links never expire", text)
    evidence = [e for hit in result.indicators for e in hit.evidence if e.field == "description"]
    assert any(e.text == "resetPassword" and text[e.start : e.end] == "resetPassword" for e in evidence)


def test_code_and_urls_count_little(default_config: OrgConfig) -> None:
    prose = run(default_config, "Improve error page", "The password is shown on the error page.")
    code = run(default_config, "Improve error page", "Error page:\n```\npassword = request.form['x']\n```\n")
    url = run(default_config, "Improve error page", "See https://example.com/docs/password-reset for context.")
    assert prose.security_relevant
    assert not code.security_relevant
    assert not url.security_relevant


def test_title_weighs_more_than_description(default_config: OrgConfig) -> None:
    assert run(default_config, "Checkout redesign", "").security_relevant is False
    assert run(default_config, "Stripe webhook handling", "").security_relevant
    assert not run(default_config, "Redesign", "We mention Stripe once.").security_relevant


def test_evidence_points_into_the_original_fields(default_config: OrgConfig) -> None:
    ticket = Ticket(
        key="T-2",
        title="Credit card numbers are logged",
        description="## Problem\n**Patients'** PHI and the CVV end up in `app.log`.\n<!-- template -->\nSee [docs](https://x).",
        labels=("pci", "security"),
    )
    result = classify(ticket, default_config)
    fields = {"title": ticket.title, "description": ticket.description}
    fields.update({f"labels[{i}]": label for i, label in enumerate(ticket.labels)})
    evidence_lists = [h.evidence for h in result.indicators] + [f.evidence for f in result.frameworks]
    assert evidence_lists
    for items in evidence_lists:
        for evidence in items:
            if evidence.field == "policy":
                continue
            assert fields[evidence.field][evidence.start : evidence.end] == evidence.text
            assert evidence.rule
            assert evidence.weight > 0


def test_the_strongest_evidence_is_shown_however_many_weaker_matches_come_first(default_config: OrgConfig) -> None:
    # 30 matches in a code block (0.3 each) before three in prose (1.0): only the strongest
    # few are kept for showing, and they are the prose ones, best first
    code = "```\n" + "\n".join(["password reset"] * 30) + "\n```\n"
    ticket = Ticket(
        key="E-1", title="Fix the form", description=code + "The password is kept. Every password. A password."
    )
    (hit,) = [hit for hit in classify(ticket, default_config).indicators if hit.name == "authentication"]
    assert len(hit.evidence) == load_lexicon().max_evidence
    assert [(e.text, e.weight) for e in hit.evidence[:3]] == [("password", 1.0)] * 3
    assert [e.start for e in hit.evidence[:3]] == sorted(e.start for e in hit.evidence[:3])
    assert all(e.weight == 0.3 for e in hit.evidence[3:])


def test_shown_evidence_is_the_record_its_own_constructor_makes() -> None:
    # frameworks._built makes an Evidence with speedups.maker (no Python __init__ frame per
    # shown match), its values in the order of Evidence's fields: a field added must come there too.
    item = (1.5, "description", 4, 8, "card", "pay.card-data")
    built = _built(item)
    assert built == Evidence(field="description", text="card", start=4, end=8, weight=1.5, rule="pay.card-data")
    assert set(vars(built)) == {f.name for f in dataclasses.fields(Evidence)}
    assert hash(built) == hash(Evidence("description", "card", 4, 8, 1.5, "pay.card-data"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.text = "other"  # type: ignore[misc]


def test_adf_description_evidence_points_into_the_json(default_config: OrgConfig) -> None:
    doc = json.dumps(
        {
            "version": 1,
            "type": "doc",
            "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": "Patient records lack an access check"}]}
            ],
        }
    )
    result = run(default_config, "Fix the records screen", doc)
    assert {"health_data", "authorization"} <= set(result.indicator_names)
    for hit in result.indicators:
        for evidence in hit.evidence:
            if evidence.field == "description":
                assert doc[evidence.start : evidence.end] == evidence.text


def test_deterministic(default_config: OrgConfig) -> None:
    ticket = Ticket(key="T-3", title="Encrypt PHI at rest", description="Patient data, card numbers and passwords.")
    first = classify(ticket, default_config)
    second = build_classifier(default_config).classify(ticket)
    assert repr(first) == repr(second)
    assert json.dumps(classification_record(ticket, first, True)) == json.dumps(
        classification_record(ticket, second, True)
    )


def test_same_output_whatever_the_hash_seed() -> None:
    # Set iteration order changes with PYTHONHASHSEED; the output must not.
    script = (
        "import json\n"
        "from tracer import config\n"
        "from tracer.classify import classify, classification_record\n"
        "from tracer.model import Ticket\n"
        "cfg = config.load(None)\n"
        "for title in ['Card numbers and CVV logged in plain text', 'Audit trail for admin role changes',\n"
        "              'Patient records visible to other clinics', 'Delete account and personal data (GDPR)']:\n"
        "    t = Ticket(key='S', title=title, description='Stripe webhook, session cookie, bcrypt, SQL injection.')\n"
        "    print(json.dumps(classification_record(t, classify(t, cfg), True)))\n"
    )
    root = Path(__file__).resolve().parents[1]
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1


@pytest.mark.parametrize(
    "ticket",
    [
        Ticket(key="E-1", title=""),
        Ticket(key="E-2", title="", description="", labels=("",), components=("",)),
        Ticket(key="E-3", title=cast(Any, None), description=cast(Any, None), labels=cast(Any, None)),
        Ticket(key="E-4", title="\udcff\udc80 password", description="\x00\x01\ud800 junk \U0010ffff"),
        Ticket(key="E-5", title="x", description=bytes(range(256)).decode("latin-1") * 50),
    ],
)
def test_bad_input_never_crashes(default_config: OrgConfig, ticket: Ticket) -> None:
    result = classify(ticket, default_config)
    assert result.risk.level in {"low", "medium", "high", "critical"}


def test_fields_of_another_type_are_read_as_their_text(default_config: OrgConfig) -> None:
    # Tickets built by hand: None, numbers, lists and a bare string where tuples of text belong.
    title = "Card numbers written to the log"
    typed = Ticket(key="T-1", title=title, labels=("", "3", "payments"), components=("pci",))
    loose = Ticket(
        key="T-1",
        title=title,
        description=cast(Any, None),
        labels=cast(Any, [None, 3, "payments"]),
        components=cast(Any, "pci"),
        priority=cast(Any, None),
        project=cast(Any, None),
    )
    expected = classify(typed, default_config)
    assert expected.frameworks and any(e.field.startswith("labels") for h in expected.indicators for e in h.evidence)
    assert classify(loose, default_config) == expected


def test_megabyte_description_is_fast(default_config: OrgConfig) -> None:
    chunk = "Steps: open the checkout page, enter the card number and a password. `code` https://x.y/z\n"
    big = chunk * (1_000_000 // len(chunk))
    started = time.perf_counter()
    result = run(default_config, "Big log", big)
    assert time.perf_counter() - started < 10
    assert result.security_relevant
    assert all(len(hit.evidence) <= 8 for hit in result.indicators)


def _config(tmp_path: Path, text: str) -> OrgConfig:
    path = tmp_path / "compliance-config.yml"
    path.write_text(text, encoding="utf-8")
    return config.load(path)


def test_org_triggers_are_word_aware(tmp_path: Path) -> None:
    cfg = _config(
        tmp_path,
        "frameworks:\n  SOX:\n    triggers:\n      keywords: [cost center]\n      components: [finance]\n"
        "      labels: [sox-scope]\n",
    )
    hit = run(cfg, "Login check for cost centers", "Users log in to edit a cost center.")
    assert "SOX" in hit.framework_names
    sox = next(fw for fw in hit.frameworks if fw.name == "SOX")
    assert sox.reason == "trigger"
    assert any(e.rule == "policy:frameworks.SOX.triggers.keywords[0]" for e in sox.evidence)
    # Not a substring: "costcenters" and "refinancing" are other words.
    miss = run(cfg, "Login check", "Users log in to edit costcenters.", components=("refinancing",))
    assert "SOX" not in miss.framework_names
    assert "SOX" in run(cfg, "Login check", "Users log in.", components=("Finance",)).framework_names
    assert "SOX" in run(cfg, "Login check", "Users log in.", labels=("sox-scope",)).framework_names


def test_triggers_need_a_security_relevant_ticket(tmp_path: Path) -> None:
    cfg = _config(tmp_path, "frameworks:\n  PCI-DSS:\n    triggers:\n      labels: [payments]\n")
    assert run(cfg, "Fix footer colour", "", labels=("payments",)).frameworks == ()


def test_soc2_baseline_switch(tmp_path: Path) -> None:
    cfg = _config(tmp_path, "frameworks:\n  SOC2:\n    baseline: true\n")
    secure = run(cfg, "Passwords are hashed with MD5", "Switch to bcrypt.")
    assert [(fw.name, fw.reason) for fw in secure.frameworks] == [("SOC2", "baseline")]
    assert run(cfg, "Fix footer colour", "").frameworks == ()


def test_disabled_framework_never_applies(tmp_path: Path) -> None:
    cfg = _config(tmp_path, "frameworks:\n  HIPAA:\n    enabled: false\n")
    assert "HIPAA" not in run(cfg, "PHI is written to the logs", "Patient records in logs.").framework_names


def test_classification_record(default_config: OrgConfig) -> None:
    ticket = Ticket(key="R-1", title="Card numbers stored in plain text", description="The CVV is kept too.")
    result = classify(ticket, default_config)
    plain = classification_record(ticket, result, with_evidence=False)
    assert set(plain) == {"schema", "id", "security_relevant", "indicators", "frameworks", "risk"}
    assert plain["schema"] == "vibeward.classification/v1"
    assert plain["id"] == "R-1" and plain["security_relevant"] is True
    assert {"name", "score"} == set(plain["indicators"][0])
    assert set(plain["risk"]) == {"score", "level"}
    assert plain["frameworks"][0]["name"] == "PCI-DSS"
    detailed = classification_record(ticket, result, with_evidence=True)
    evidence = detailed["indicators"][0]["evidence"][0]
    assert set(evidence) == {"field", "text", "start", "end", "weight", "rule"}
    assert detailed["frameworks"][0]["evidence"]
    json.dumps(detailed)
    assert all(i["name"] in INDICATORS for i in plain["indicators"])
    assert all(f["name"] in FRAMEWORKS for f in plain["frameworks"])


def test_render_text_shows_the_evidence(default_config: OrgConfig) -> None:
    ticket = Ticket(key="H-1", title="Audit access to patient records", description="Log every view of PHI.")
    text = render_classification_text(ticket, classify(ticket, default_config))
    assert text.startswith("H-1: Audit access to patient records\n")
    assert "→ HIPAA applicable" in text
    assert '"patient records" (title)' in text
    quiet = render_classification_text(
        Ticket(key="H-2", title="Fix footer colour"),
        classify(Ticket(key="H-2", title="Fix footer colour"), default_config),
    )
    assert "not security-relevant" in quiet


def test_render_text_shows_words_two_rules_read_once(default_config: OrgConfig) -> None:
    # "log" is weak evidence alone (log.logging) and strong next to failed logins
    # (log.sensitive-data): the JSON keeps both rules, the text shows the place once
    ticket = Ticket(key="L-1", title="Log failed login attempts")
    result = classify(ticket, default_config)
    (logging,) = [hit for hit in result.indicators if hit.name == "logging_audit"]
    assert len({e.rule for e in logging.evidence}) == 2
    assert len({(e.field, e.start, e.end) for e in logging.evidence}) == 1
    assert '    logging_audit (2.25): "Log" (title)\n' in render_classification_text(ticket, result)


def test_medical_software_makes_security_work_health_data(default_config: OrgConfig) -> None:
    # No clinical word in the text: the project says what the data is (lexicon.yml `domains`).
    title, text = "Reports should respect access controls", "Only show departments the user has access to."
    alone = run(default_config, title, text)
    assert alone.indicator_names == ("authorization",) and alone.framework_names == ()
    emr = run(default_config, title, text, project="acme/openemr")
    assert emr.indicator_names == ("authorization", "health_data")
    assert emr.framework_names == ("HIPAA",)
    hipaa = next(fw for fw in emr.frameworks if fw.name == "HIPAA")
    assert (hipaa.evidence[0].field, hipaa.evidence[0].text, hipaa.evidence[0].rule) == (
        "project",
        "emr",
        "domain.medical",
    )
    assert emr.risk.score > alone.risk.score
    # The evidence points into the name as given, even where lowering would change its length.
    for project in ("İİİİ/OpenEMR", "ACME/OpenEMR"):
        shown = next(fw for fw in run(default_config, title, text, project=project).frameworks).evidence[0]
        assert project[shown.start : shown.end] == shown.text == "EMR", project
    for project in (
        "SanaMobile/vaccine_registry",
        "opensrp/opensrp-client",
        "rowinggolfer/openmolar1",
        "acme/libreclinica",
        "acme/clinic-portal",
        "acme/glycemic-tracker",
        "acme/caregiver-app",
    ):
        assert run(default_config, title, text, project=project).framework_names == ("HIPAA",), project
    # Never security work on its own, and not every "health" is medical.
    assert not run(default_config, "Fix the footer colour", "", project="openemr/openemr").security_relevant
    for project in ("acme/k8s-health-check", "acme/behrens-tools", "acme/shop", "getsentry/release-health-app"):
        assert run(default_config, title, text, project=project) == alone, project
    rendered = render_classification_text(Ticket(key="E-1", title=title, project="EHR (EHR)"), emr)
    assert '"emr" (project)' in rendered


def test_a_curated_list_of_links_is_no_software_that_handles_the_data(default_config: OrgConfig) -> None:
    title = "Add DentalPin to Dental"
    text = (
        "DentalPin is a dental clinic management system: patient records, treatment plans and card payments."
        " Caregivers see the patient data and health data their clinic shares with them."
    )
    assert not run(default_config, title, text, project="acme/awesome-healthcare").security_relevant
    many = "Patient-facing symptom and medication tracking app with caregiver support and a clinic portal, so "
    many += "assistants can log and retrieve health data."  # health words enough to outweigh a 0.3
    listed = run(default_config, "Add CareTrack Health Tracker (patient data + MCP)", many, project="x/awesome-health")
    assert not listed.security_relevant
    # "awesome-" starts a list's name by convention; elsewhere in a name it is a product's word
    for project in ("acme/dental-apps", "ucraft-com/POS-Awesome", ""):
        assert run(default_config, title, text, project=project).framework_names == ("PCI-DSS", "HIPAA"), project
    # a security word in the ticket cancels the dampener, as everywhere
    leak = run(default_config, "Remove a listed EMR: it has an unpatched SQL injection", "", project="x/awesome-ehr")
    assert "database" in leak.indicator_names


def test_an_audit_trail_or_access_check_in_accounting_software_guards_financial_records(
    default_config: OrgConfig,
) -> None:
    # "Need more audit log" in a bookkeeping tool is the audit trail of its records (SOX), the
    # same words in a chat app are not; an ERP suite is more than its books, a crypto ledger none.
    title, text = "Need more audit log", "We should log who changed what and when."
    alone = run(default_config, title, text)
    assert alone.indicator_names == ("logging_audit",) and alone.framework_names == ()
    for project in ("acme/budget-app", "acme/SimpleAccounting", "Gnucash/gnucash", "acme/invoiceplane-v2"):
        books = run(default_config, title, text, project=project)
        assert books.indicator_names == ("financial_records", "logging_audit"), project
        assert books.framework_names == ("SOX",), project
        assert next(fw for fw in books.frameworks).evidence[0].rule == "domain.accounting"
    for project in ("acme/chat", "acme/mini-erp", "hyperledger/fabric", "LedgerHQ/ledger-live"):
        assert run(default_config, title, text, project=project) == alone, project
    # Only access checks and audit trails: a session bug in an invoicing app is no accounting control.
    xss = run(default_config, "Stored XSS steals the session cookie", "", project="acme/invoice-ninja")
    assert "SOX" not in xss.framework_names


def test_a_gateway_plugin_s_payment_work_goes_through_the_gateway_api(default_config: OrgConfig) -> None:
    title, text = "Partial refund of a captured charge fails", "The refund call returns an error."
    shop = run(default_config, title, text, project="acme/shop")
    assert shop.indicator_names == ("payment",)
    plugin = run(default_config, title, text, project="omise/omise-magento")
    assert plugin.indicator_names == ("payment", "third_party_api")
    assert plugin.framework_names == ("PCI-DSS",)
    assert ("project", "omise", "domain.payment-gateway") in {
        (e.field, e.text, e.rule) for fw in plugin.frameworks for e in fw.evidence
    }
    # Only payment work: a login bug in the same plugin is not a gateway call.
    login = run(default_config, "Admin login fails after upgrade", "", project="omise/omise-magento")
    assert "third_party_api" not in login.indicator_names
    # But the security work of a gateway's own SDK is payment work (PCI-DSS).
    title, text = "Validate the HMAC signature of notifications", "Verify it with the shared secret."
    assert run(default_config, title, text, project="acme/shop").indicator_names == ("cryptography",)
    sdk = run(default_config, title, text, project="zhutik/adyen-api-go")
    assert (sdk.indicator_names, sdk.framework_names) == (("payment", "cryptography"), ("PCI-DSS",))
    title = "Incoming notification fails the signature check"
    assert run(default_config, title, "", project="PayU-EMEA/openpayu_php").framework_names == ("PCI-DSS",)
    assert run(default_config, "Add webhook verification", "", project="paymill/paymill-php").framework_names == (
        "PCI-DSS",
    )
    # One list of gateways for the domains and the words of a ticket (lexicon.yml, a YAML alias).
    for gateway in ("Buckaroo", "Helcim", "Lemon Squeezy", "Przelewy24"):
        assert "payment" in run(default_config, f"{gateway} checkout fails", "").indicator_names, gateway


def test_classifier_is_cached_per_config(default_config: OrgConfig) -> None:
    ticket = Ticket(key="C-1", title="Rotate the signing key")
    assert classify(ticket, default_config) == classify(ticket, default_config)
    prebuilt = build_classifier(default_config)
    assert classify(ticket, default_config, prebuilt) == prebuilt.classify(ticket)


def test_lexicon_errors_name_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "lexicon.yml"
    bad.write_text("terms:\n  - id: x\n    match: [foo]\n    indicators: {not_an_indicator: 1}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"terms\[0\]\.indicators"):
        load_lexicon(bad)
    bad.write_text("terms:\n  - id: x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="neither"):
        load_lexicon(bad)
    bad.write_text("domains:\n  medical:\n    indicator: health_data\n    with_any: [auth]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"domains\.medical\.with_any: unknown indicator 'auth'"):
        load_lexicon(bad)
    bad.write_text("terms:\n  - id: x\n    match: [foo, [bar, {baz: 1}]]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"terms\[0\]\.match: expected a list of strings"):
        load_lexicon(bad)
    bad.write_text("tracker_keys:\n  except: {aes: 1}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"tracker_keys\.except: expected a list of strings"):
        load_lexicon(bad)


def test_shipped_lexicon_is_consistent() -> None:
    lexicon = load_lexicon()
    ids = [term.id for term in lexicon.terms]
    assert len(ids) == len(set(ids))
    known = set(ids)
    for sense in lexicon.senses:
        assert set(sense.terms) <= known, sense.id
        assert sense.words or sense.terms, sense.id
    for term in lexicon.terms:
        assert set(term.indicators) <= set(INDICATORS)
        assert set(term.frameworks) <= set(FRAMEWORKS)


# Speed (issue #3) must not change a result: the pre-filter (with the sense checks it lets a
# ticket skip) and the plain-ASCII matcher are shortcuts that have to agree with the long way
# on every ticket.
MIXED = [
    *TRAPS,
    *((title, description) for title, description, _, _ in POSITIVES),
    ("Checkout page: card numbers are logged", "```\nTraceback (most recent call last):\n```\nThe card token leaks."),
    ("Role editor: viewer can call delete", "    at com.example.Service.handle(Service.java:42)\n> tenant data"),
    ("forgotPassword flow", "The resetPassword endpoint stores the password in plain text; see https://x.y/z"),
    ("Session manager", "Please be patient. The session cookie lacks HttpOnly; `Set-Cookie: sid=1`"),
]


def test_prefilter_never_changes_a_result(default_config: OrgConfig) -> None:
    fast = build_classifier(default_config)
    slow = dataclasses.replace(fast, bound_weights=None)  # no upper bound: every ticket goes the long way
    pairs = list(itertools.product([t for t, _ in MIXED], [d for _, d in MIXED]))
    for number, (title, description) in enumerate(pairs):
        ticket = Ticket(key=f"M-{number}", title=title, description=description, labels=("payments", "ui"))
        assert classification_record(ticket, fast.classify(ticket), True) == classification_record(
            ticket, slow.classify(ticket), True
        )


def test_plain_ascii_matching_agrees_with_the_general_matcher(default_config: OrgConfig) -> None:
    matcher = build_classifier(default_config).matcher
    texts = [text for pair in MIXED for text in pair]
    texts += [" ".join(words) for words in itertools.permutations(["stored in", "plain text", "the log", "api key"])]
    # phrases across 1-4 separators (spaces, -, _, /, *, ~, +), and across too many or the wrong ones
    texts += [
        f"the card{gap}number was stored in{gap}plain{gap}text" for gap in (" ", "  ", " - ", "_/*~", "+ - +", ", ")
    ]
    # dashes, quotes and no-break spaces split words as ASCII punctuation does; other letters do not
    gaps = (" ", "\u00a0", "\u2014", "\u3000")
    texts += [f"the card{gap}number’s api key — stored in{gap}plain text…" for gap in gaps]
    texts += ["“card number” in the log", "the café card number", "Kelvin \u212a card number"]
    texts += ["Authorize.Net card.number", "the card. Number", "the card.\nnumber", "card..number", "é card.number"]
    for text in texts:
        plain = field_words(text)
        general = field_words(text)
        general.runs = False  # the matcher that makes no assumption about the text
        others = {char for char in text.lower() if not char.isascii()}
        assert plain.runs == ("\x00" not in text and all(c.isspace() or c in "‘’“”–—…·•«»" for c in others))
        assert matcher.scan(plain) == matcher.scan(general), text


def test_a_dot_inside_a_name_joins_words_and_a_full_stop_does_not(default_config: OrgConfig) -> None:
    matcher = build_classifier(default_config).matcher

    def spans(text: str) -> set[str]:
        return {text[start:end] for start, _, _, end in matcher.scan(field_words(text))}

    assert "Authorize.Net" in spans("Move to Authorize.Net")  # the gateway, not "authorize"
    assert "card.number" in spans("log card.number in the form")
    assert not {"card. Number", "card.\nnumber"} & (spans("the card. Number") | spans("the card.\nnumber"))


def test_many_matches_stay_linear(default_config: OrgConfig) -> None:
    started = time.perf_counter()
    result = run(default_config, "forgotPassword", "forgotPassword token in plain text, " * 20_000)
    assert time.perf_counter() - started < 20
    assert result.security_relevant
