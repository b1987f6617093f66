// Test target for semgrep-rules/data_deletion/javascript.yml (parsed only, never run).

// ruleid: vibeward.javascript.data_deletion.erasure-function
async function deleteUserData(userId) {
  await prisma.order.updateMany({ where: { userId }, data: { shippingAddress: null } });
  await prisma.user.delete({ where: { id: userId } });
}

// ruleid: vibeward.javascript.data_deletion.erasure-function
const anonymizeCustomer = async (id) => {
  await Customer.update({ email: null, name: 'deleted' }, { where: { id } });
};

// ok: vibeward.javascript.data_deletion.erasure-function
function deleteComment(id) {
  return Comment.destroy({ where: { id } });
}

// ruleid: vibeward.javascript.data_deletion.erasure-route
router.delete('/me', requireAuth, async (req, res) => {
  await deleteUserData(req.user.id);
  res.status(204).end();
});

// ok: vibeward.javascript.data_deletion.erasure-route
router.delete('/comments/:id', requireAuth, removeComment);

// ruleid: vibeward.javascript.data_deletion.soft-delete-only, vibeward.javascript.data_deletion.erasure-function
function deleteAccount(User, id) {
  return User.update({ isDeleted: true }, { where: { id } });
}
