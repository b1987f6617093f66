// Test target for semgrep-rules/file_upload_validation/javascript.yml (parsed only, never run).
const multer = require('multer');
const fileUpload = require('express-fileupload');
const { fileTypeFromBuffer } = require('file-type');

// ruleid: vibeward.javascript.file_upload_validation.upload-type-filter
const upload = multer({
  storage: multer.memoryStorage(),
  // ruleid: vibeward.javascript.file_upload_validation.upload-size-limit-mb
  limits: { fileSize: 5 * 1024 * 1024, files: 1 },
  fileFilter: (req, file, cb) => cb(null, ['image/png', 'image/jpeg'].includes(file.mimetype)),
});

const images = multer({
  // ruleid: vibeward.javascript.file_upload_validation.upload-type-filter
  fileFilter: imageOnly,
  // ruleid: vibeward.javascript.file_upload_validation.upload-size-limit-mb
  limits: { fileSize: 1024 * 1024 * 2 },
});

// ruleid: vibeward.javascript.file_upload_validation.upload-size-limit-bytes
const avatars = multer({ dest: 'uploads/', limits: { fileSize: 2000000 } });

// ruleid: vibeward.javascript.file_upload_validation.upload-size-limit-kb
app.use(fileUpload({ limits: { fileSize: 500 * 1024 } }));

// ruleid: vibeward.javascript.file_upload_validation.upload-size-limit
const docs = multer({ limits: { fileSize: config.maxUploadBytes } });

async function sniff(buffer) {
  // ruleid: vibeward.javascript.file_upload_validation.upload-type-filter
  const type = await fileTypeFromBuffer(buffer);
  return type && type.mime === 'application/pdf';
}

// ---------------------------------------------------------------- violations

// ruleid: vibeward.javascript.file_upload_validation.multer-without-limits
const unbounded = multer({ dest: 'uploads/' });

// ruleid: vibeward.javascript.file_upload_validation.multer-without-limits
const bare = multer();

// ok: vibeward.javascript.file_upload_validation.multer-without-limits
const storage = multer.diskStorage({ destination: 'uploads/' });

// ruleid: vibeward.javascript.file_upload_validation.upload-size-limit-gb
const videos = multer({ dest: 'videos/', limits: { fileSize: 2 * 1024 * 1024 * 1024 } });
