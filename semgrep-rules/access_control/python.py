# Test target for semgrep-rules/access_control/python.yml (parsed only, never run).
from django.contrib import auth
from django.contrib.auth.decorators import permission_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.shortcuts import get_object_or_404
from django.views.generic import ListView, TemplateView
from fastapi import Depends, FastAPI, Security
from flask import Blueprint, g
from flask_login import current_user, login_required
from flask_principal import Permission, RoleNeed
from flask_security import roles_required
from rest_framework import generics, viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny, IsAdminUser, IsAuthenticated

bp = Blueprint("orders", __name__)

# ================================================================ Flask


# ruleid: vibeward.python.access_control.auth-decorator
@bp.route("/orders")
@login_required
def orders():
    # ruleid: vibeward.python.access_control.ownership-filter
    return Order.query.filter_by(user_id=current_user.id).all()


# ruleid: vibeward.python.access_control.permission-decorator
@bp.route("/admin")
@roles_required("admin")
def admin_panel():
    return "ok"


# ok: vibeward.python.access_control.auth-decorator, vibeward.python.access_control.permission-decorator
@bp.route("/public")
@cache.cached(timeout=60)
def public():
    # ok: vibeward.python.access_control.ownership-filter
    return Order.query.filter_by(status="open").all()


# ruleid: vibeward.python.access_control.flask-principal
admin_permission = Permission(RoleNeed("admin"))


def invoice(invoice_id):
    # ruleid: vibeward.python.access_control.ownership-filter-expr
    inv = db.session.query(Invoice).filter(Invoice.owner_id == current_user.id).first()
    # ok: vibeward.python.access_control.ownership-filter-expr
    other = db.session.query(Invoice).filter(Invoice.id == invoice_id).first()
    # ruleid: vibeward.python.access_control.permission-check
    if not current_user.has_role("billing"):
        abort(403)
    return inv, other


# ================================================================ Django


# ruleid: vibeward.python.access_control.auth-decorator
@auth.decorators.login_required
def profile(request):
    # ruleid: vibeward.python.access_control.ownership-filter
    docs = Document.objects.filter(owner=request.user)
    # ruleid: vibeward.python.access_control.ownership-filter
    doc = get_object_or_404(Document, pk=1, owner=request.user)
    return docs, doc


# ruleid: vibeward.python.access_control.permission-decorator
@permission_required("shop.change_order", raise_exception=True)
def edit_order(request, pk):
    # ruleid: vibeward.python.access_control.permission-check
    if request.user.has_perm("shop.delete_order"):
        pass
    # ok: vibeward.python.access_control.permission-check
    if request.user.has_usable_password():
        pass


# ruleid: vibeward.python.access_control.django-auth-mixin
class OrderList(LoginRequiredMixin, ListView):
    model = Order


# ruleid: vibeward.python.access_control.django-auth-mixin
class Reports(PermissionRequiredMixin, TemplateView):
    permission_required = "shop.view_report"


# ok: vibeward.python.access_control.django-auth-mixin
class About(TemplateView):
    template_name = "about.html"


class OrderViewSet(viewsets.ModelViewSet):
    # ruleid: vibeward.python.access_control.drf-permission-classes
    permission_classes = [IsAuthenticated, IsAdminUser]

    def get_queryset(self):
        # ruleid: vibeward.python.access_control.ownership-filter
        return Order.objects.filter(user=self.request.user)


# ruleid: vibeward.python.access_control.drf-allowany-write-view
class CommentViewSet(viewsets.ModelViewSet):
    # ok: vibeward.python.access_control.drf-permission-classes
    permission_classes = [AllowAny]


# ok: vibeward.python.access_control.drf-allowany-write-view
class RegisterView(generics.CreateAPIView):
    # ok: vibeward.python.access_control.drf-permission-classes
    permission_classes = (AllowAny,)


@api_view(["POST"])
# ruleid: vibeward.python.access_control.drf-permission-classes
@permission_classes([IsAuthenticated])
def checkout(request):
    return None


REST_FRAMEWORK = {
    # ruleid: vibeward.python.access_control.drf-permission-classes
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
}

REST_FRAMEWORK_DEV = {
    # ok: vibeward.python.access_control.drf-permission-classes
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}

REST_FRAMEWORK = {
    # ruleid: vibeward.python.access_control.drf-default-allowany
    "DEFAULT_PERMISSION_CLASSES": ("rest_framework.permissions.AllowAny",),
}

# ================================================================ FastAPI

app = FastAPI()


@app.get("/me")
# ruleid: vibeward.python.access_control.fastapi-auth-dependency
async def me(user: User = Depends(get_current_active_user)):
    return user


@app.get("/items")
# ruleid: vibeward.python.access_control.fastapi-auth-dependency
async def items(user=Security(get_current_user, scopes=["items:read"])):
    return []


@app.get("/db")
# ok: vibeward.python.access_control.fastapi-auth-dependency
async def dbroute(db=Depends(get_db)):
    return []
