// Test target for semgrep-rules/consent_tracking/javascript.yml (parsed only, never run).

// ruleid: vibeward.javascript.consent_tracking.consent-function
async function recordConsent(req, res) {
  // ruleid: vibeward.javascript.consent_tracking.consent-record
  await prisma.consent.create({
    data: { userId: req.user.id, purpose: req.body.purpose, granted: true, policyVersion: '2024-05', ip: req.ip },
  });
  res.status(201).end();
}

// ruleid: vibeward.javascript.consent_tracking.consent-function
const withdrawConsent = async (userId, purpose) => {
  // ruleid: vibeward.javascript.consent_tracking.consent-record
  await ConsentRecord.create({ userId, purpose, granted: false, at: new Date() });
};

// ok: vibeward.javascript.consent_tracking.consent-record
Order.create({ total: 10 });

// ruleid: vibeward.javascript.consent_tracking.consent-platform
gtag('consent', 'update', { analytics_storage: 'granted' });
