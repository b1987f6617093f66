# Test target for semgrep-rules/data_portability/python.yml (parsed only, never run).
import csv
import io
import json

from django.http import HttpResponse, JsonResponse
from flask import jsonify
from flask_login import current_user


# ruleid: vibeward.python.data_portability.export-function
def export_user_data(request):
    user = request.user
    data = {"profile": model_to_dict(user), "orders": list(user.orders.values())}
    return JsonResponse(data)


# ruleid: vibeward.python.data_portability.export-function
@bp.route("/me/export.csv")
def download_my_data():
    buf = io.StringIO()
    writer = csv.writer(buf)
    for order in current_user.orders:
        writer.writerow([order.id, order.total])
    return buf.getvalue(), 200, {"Content-Type": "text/csv"}


# ok: vibeward.python.data_portability.export-function
def export_data(request):
    return render(request, "export.html")


# ok: vibeward.python.data_portability.export-function
def export_products():
    return jsonify([p.to_dict() for p in Product.query.all()])
