const cron = require("node-cron");
const mongoose = require("mongoose");
const { Op } = require("sequelize");

const sessionSchema = new mongoose.Schema({
  userId: String,
  // ruleid: vibeward.javascript.data_retention.ttl-index
  createdAt: { type: Date, default: Date.now, expires: 60 * 60 * 24 * 90 },
});
// ruleid: vibeward.javascript.data_retention.ttl-index
sessionSchema.index({ createdAt: 1 }, { expireAfterSeconds: 7776000 });
// ok: vibeward.javascript.data_retention.ttl-index
sessionSchema.index({ email: 1 }, { unique: true });

cron.schedule("0 3 * * *", async () => {
  const cutoff = new Date(Date.now() - 90 * 24 * 3600 * 1000);
  // ruleid: vibeward.javascript.data_retention.purge-expired
  await AuditLog.deleteMany({ createdAt: { $lt: cutoff } });
  // ruleid: vibeward.javascript.data_retention.purge-expired
  await Event.destroy({ where: { createdAt: { [Op.lt]: cutoff } } });
  // ok: vibeward.javascript.data_retention.purge-expired
  await User.deleteMany({ status: "banned" });
});
