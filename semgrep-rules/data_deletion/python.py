# Test target for semgrep-rules/data_deletion/python.yml (parsed only, never run).
from django.contrib.auth.decorators import login_required
from flask_login import current_user


# ruleid: vibeward.python.data_deletion.erasure-function
@login_required
def delete_account(request):
    user = request.user
    Order.objects.filter(user=user).update(shipping_address="")
    user.delete()
    return redirect("home")


# ruleid: vibeward.python.data_deletion.erasure-function
def anonymize_user(user_id):
    user = User.query.get(user_id)
    if user:
        user.anonymize()
        db.session.commit()


# ruleid: vibeward.python.data_deletion.erasure-function
async def forget_me(session, user_id):
    await session.execute(sqlalchemy.delete(User).where(User.id == user_id))


# ok: vibeward.python.data_deletion.erasure-function
def delete_account_confirm(request):
    return render(request, "confirm.html")


# ok: vibeward.python.data_deletion.erasure-function
def delete_user(request):
    # only renders a template: no deletion happens here
    return render(request, "delete_user.html")


# ok: vibeward.python.data_deletion.erasure-function
def delete_comment(comment_id):
    Comment.objects.get(pk=comment_id).delete()
