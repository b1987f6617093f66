# Test target for semgrep-rules/file_upload_validation/python.yml (parsed only, never run).
import imghdr
import os

import aiofiles
import magic
from aiohttp import web
from django.core.validators import FileExtensionValidator
from django.db import models
from fastapi import UploadFile
from flask import Flask, request
from werkzeug.utils import secure_filename

app = Flask(__name__)
# ruleid: vibeward.python.file_upload_validation.upload-size-limit-bytes
app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024
ALLOWED_EXTENSIONS = {"png", "jpg", "pdf"}


class Config:
    # ruleid: vibeward.python.file_upload_validation.upload-size-limit-bytes
    MAX_CONTENT_LENGTH = 5_000_000
    # ok: vibeward.python.file_upload_validation.upload-size-limit-bytes
    # ruleid: vibeward.python.file_upload_validation.upload-size-limit
    DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("MAX_BODY", 2621440))
    # ok: vibeward.python.file_upload_validation.upload-size-limit
    MAX_CONTENT_LENGTH = None


def allowed_file(filename):
    # ruleid: vibeward.python.file_upload_validation.upload-type-allowlist
    return "." in filename and filename.rsplit(".", 1)[1].lower() in ALLOWED_EXTENSIONS


@app.route("/upload", methods=["POST"])
def upload():
    file = request.files["file"]
    # ruleid: vibeward.python.file_upload_validation.upload-type-allowlist
    if file and allowed_file(file.filename):
        # ruleid: vibeward.python.file_upload_validation.secure-filename
        filename = secure_filename(file.filename)
        # ok: vibeward.python.file_upload_validation.client-filename-path
        file.save(os.path.join(app.config["UPLOAD_FOLDER"], filename))
    # ruleid: vibeward.python.file_upload_validation.content-sniffing
    mime = magic.from_buffer(file.read(2048), mime=True)
    # ok: vibeward.python.file_upload_validation.upload-type-allowlist
    if "admin" in request.args:
        pass
    return mime


@app.route("/avatar", methods=["POST"])
def avatar():
    f = request.files["avatar"]
    # ruleid: vibeward.python.file_upload_validation.client-filename-path
    f.save(os.path.join(app.config["UPLOAD_FOLDER"], f.filename))
    # ok: vibeward.python.file_upload_validation.client-filename-path
    # ruleid: vibeward.python.file_upload_validation.secure-filename
    f.save(os.path.join(app.config["UPLOAD_FOLDER"], secure_filename(f.filename)))
    # ruleid: vibeward.python.file_upload_validation.content-sniffing
    kind = imghdr.what(None, h=f.read())
    return kind


async def fastapi_upload(file: UploadFile):
    # ruleid: vibeward.python.file_upload_validation.client-filename-path
    async with aiofiles.open(f"uploads/{file.filename}", "wb") as out:
        await out.write(await file.read())


class Document(models.Model):
    # ruleid: vibeward.python.file_upload_validation.upload-type-allowlist
    file = models.FileField(validators=[FileExtensionValidator(allowed_extensions=["pdf"])])


# ruleid: vibeward.python.file_upload_validation.upload-size-limit-bytes
aio = web.Application(client_max_size=10 * 1024 * 1024)
