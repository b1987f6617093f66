// Test target for semgrep-rules/data_portability/javascript.yml (parsed only, never run).

// ruleid: vibeward.javascript.data_portability.export-function
async function exportUserData(userId) {
  const [user, orders] = await Promise.all([User.findByPk(userId), Order.findAll({ where: { userId } })]);
  return { user, orders };
}

// ok: vibeward.javascript.data_portability.export-function
function exportReport(rows) {
  return rows.map((r) => r.total);
}

// ruleid: vibeward.javascript.data_portability.export-route
router.get('/me/export', requireAuth, async (req, res) => {
  res.attachment('my-data.json');
  res.json(await exportUserData(req.user.id));
});

// ok: vibeward.javascript.data_portability.export-route
router.get('/reports/export', requireAdmin, exportReportHandler);
