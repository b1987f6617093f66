/* The matcher's per-character work in C (tracer/lexicon.py), built by `make native`.
 *
 * prepare(view, scan_bytes): a plain-ASCII field's lowercase view, its `spaced` copy (every
 *   byte through `scan_bytes`, padded with a space either end) and where its words that hold
 *   a camelCase pair are; None when the view is not ASCII or a byte maps to NUL.
 * WordTable(items) and walk(table, spaced): the words of `spaced` that start a term, with
 *   whether a phrase may start there (its next one or two words are a phrase's), found by
 *   one hash look-up per word where the pure-Python path walks an Aho-Corasick automaton
 *   character by character.
 *
 * present(table, words, spaced[, from, to, from2, to2]): the few words of a text (or of two
 *   slices of it: a window around a match) that are context words, without a Python string
 *   for every word.
 *
 * record(cls, names, *values): an instance with these attributes, as object.__new__ and
 *   object.__setattr__ make it (a frozen dataclass without its __init__), in one call.
 *
 * They stand in for Python code that stays the reference (FieldWords and
 * Matcher._scan_spaced): tests compare them on generated text and whole classifications.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* What a key says (the flags of WordTable's items; tracer/lexicon.py has the same values). */
#define SINGLE 1 /* a word that is a term, or an acronym, by itself */
#define FIRST 2  /* a word that starts phrases */
#define PAIR 4   /* "first second": a phrase's first two words, the whole of one */
#define MORE 8   /* "first second": the first two words of a longer phrase */
#define TRIPLE 16 /* "first second third": the first three words of a phrase */

#define MAX_GAP 4 /* the most separators between two words of a phrase (lexicon.SEPARATOR) */

typedef struct {
    uint64_t hash;
    Py_ssize_t offset; /* of the key in the table's blob */
    Py_ssize_t length; /* 0: an empty slot */
    long entry;
    long flags;
} Slot;

typedef struct {
    PyObject_HEAD
    Slot *slots;
    size_t mask;
    char *blob;
    Py_ssize_t longest;
} WordTable;

#define FNV_OFFSET 1469598103934665603ULL /* FNV-1a */
#define FNV_PRIME 1099511628211ULL

static uint64_t hash_bytes(const char *text, Py_ssize_t length) {
    uint64_t hash = FNV_OFFSET;
    for (Py_ssize_t i = 0; i < length; i++) {
        hash ^= (unsigned char)text[i];
        hash *= FNV_PRIME;
    }
    return hash;
}

/* The slot of text[:length], whose hash_bytes is `hash`; NULL when the table has no such key. */
static const Slot *find_hashed(const WordTable *table, const char *text, Py_ssize_t length, uint64_t hash) {
    if (length > table->longest) /* (0 in a table made by __new__ alone: it finds nothing) */
        return NULL;
    for (size_t at = (size_t)hash & table->mask;; at = (at + 1) & table->mask) {
        const Slot *slot = &table->slots[at];
        if (slot->length == 0)
            return NULL;
        if (slot->hash == hash && slot->length == length && memcmp(table->blob + slot->offset, text, length) == 0)
            return slot;
    }
}

static const Slot *find(const WordTable *table, const char *text, Py_ssize_t length) {
    return length > table->longest ? NULL : find_hashed(table, text, length, hash_bytes(text, length));
}

static void table_dealloc(WordTable *self) {
    PyMem_Free(self->slots);
    PyMem_Free(self->blob);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* WordTable([(key, entry, flags), ...]): keys are ASCII and distinct. */
static int table_init(WordTable *self, PyObject *args, PyObject *kwargs) {
    PyObject *items;
    if (!PyArg_ParseTuple(args, "O!:WordTable", &PyList_Type, &items))
        return -1;
    Py_ssize_t count = PyList_GET_SIZE(items), total = 0, longest = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *item = PyList_GET_ITEM(items, i);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 3 || !PyUnicode_Check(PyTuple_GET_ITEM(item, 0)) ||
            !PyUnicode_IS_ASCII(PyTuple_GET_ITEM(item, 0)) || PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(item, 0)) == 0) {
            PyErr_SetString(PyExc_TypeError, "WordTable items are (non-empty ASCII key, entry, flags)");
            return -1;
        }
        total += PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(item, 0));
        if (PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(item, 0)) > longest)
            longest = PyUnicode_GET_LENGTH(PyTuple_GET_ITEM(item, 0));
    }
    size_t size = 16;
    while (size < (size_t)count * 2 + 1) /* at most half full */
        size *= 2;
    PyMem_Free(self->slots);
    PyMem_Free(self->blob);
    self->slots = PyMem_Calloc(size, sizeof(Slot));
    self->blob = PyMem_Malloc(total ? total : 1);
    if (self->slots == NULL || self->blob == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    self->mask = size - 1;
    self->longest = longest;
    Py_ssize_t offset = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *item = PyList_GET_ITEM(items, i);
        PyObject *key = PyTuple_GET_ITEM(item, 0);
        long entry = PyLong_AsLong(PyTuple_GET_ITEM(item, 1));
        long flags = PyLong_AsLong(PyTuple_GET_ITEM(item, 2));
        if (PyErr_Occurred())
            return -1;
        Py_ssize_t length = PyUnicode_GET_LENGTH(key);
        const char *text = (const char *)PyUnicode_1BYTE_DATA(key);
        if (find(self, text, length) != NULL) {
            PyErr_Format(PyExc_ValueError, "WordTable key %R given twice", key);
            return -1;
        }
        memcpy(self->blob + offset, text, length);
        uint64_t hash = hash_bytes(text, length);
        size_t at = (size_t)hash & self->mask;
        while (self->slots[at].length != 0)
            at = (at + 1) & self->mask;
        self->slots[at] = (Slot){hash, offset, length, entry, flags};
        offset += length;
    }
    return 0;
}

static PyTypeObject WordTableType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "tracer._scan.WordTable",
    .tp_basicsize = sizeof(WordTable),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Words and word sequences of a lexicon, by hash: WordTable([(key, entry, flags), ...]).",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)table_init,
    .tp_dealloc = (destructor)table_dealloc,
};

/* The word of `text` (spaces between words) that starts at or after `at`: its start and
 * end, or start == length when there is none. */
static void next_word(const char *text, Py_ssize_t length, Py_ssize_t at, Py_ssize_t *start, Py_ssize_t *end) {
    while (at < length && text[at] == ' ')
        at++;
    *start = at;
    while (at < length && text[at] != ' ')
        at++;
    *end = at;
}

/* next_word, with the word's hash_bytes in the same pass over its bytes (the scans below
 * look every word up). */
static void next_word_hashed(const char *text, Py_ssize_t length, Py_ssize_t at, Py_ssize_t *start, Py_ssize_t *end,
                             uint64_t *hash) {
    while (at < length && text[at] == ' ')
        at++;
    *start = at;
    uint64_t value = FNV_OFFSET;
    while (at < length && text[at] != ' ') {
        value ^= (unsigned char)text[at++];
        value *= FNV_PRIME;
    }
    *end = at;
    *hash = value;
}

/* Whether a phrase may start with the word text[start:end], followed by the words after it. */
static int phrase_may_start(const WordTable *table, const char *text, Py_ssize_t length, Py_ssize_t start,
                            Py_ssize_t end) {
    char key[256];
    Py_ssize_t second, second_end, third, third_end;
    next_word(text, length, end, &second, &second_end);
    if (second == length || second - end > MAX_GAP)
        return 0;
    Py_ssize_t first_size = end - start, second_size = second_end - second;
    if (first_size + 1 + second_size > table->longest)
        return 0;
    if (first_size + 1 + second_size > (Py_ssize_t)sizeof(key))
        return 1; /* a key this long (an org's trigger may be): the phrase regex decides */
    memcpy(key, text + start, first_size);
    key[first_size] = ' ';
    memcpy(key + first_size + 1, text + second, second_size);
    const Slot *pair = find(table, key, first_size + 1 + second_size);
    if (pair == NULL)
        return 0;
    if (pair->flags & PAIR)
        return 1;
    if (!(pair->flags & MORE))
        return 0;
    next_word(text, length, second_end, &third, &third_end);
    if (third == length || third - second_end > MAX_GAP)
        return 0;
    Py_ssize_t size = first_size + 1 + second_size, third_size = third_end - third;
    if (size + 1 + third_size > table->longest)
        return 0;
    if (size + 1 + third_size > (Py_ssize_t)sizeof(key))
        return 1;
    key[size] = ' ';
    memcpy(key + size + 1, text + third, third_size);
    const Slot *triple = find(table, key, size + 1 + third_size);
    return triple != NULL && (triple->flags & TRIPLE);
}

/* Whether `text` is ASCII, as a spaced text is; else a ValueError naming the function. */
static int spaced_text(PyObject *text, const char *function) {
    if (PyUnicode_IS_ASCII(text))
        return 1;
    PyErr_Format(PyExc_ValueError, "%s() reads an ASCII text", function);
    return 0;
}

/* walk(table, spaced) -> [(start, end, entry, phrase), ...]: each word of `spaced` that is a
 * term by itself or may start a phrase, in order, with offsets into the view (spaced is the
 * view one character ahead). */
static PyObject *walk(PyObject *module, PyObject *args) {
    PyObject *table_object, *spaced;
    if (!PyArg_ParseTuple(args, "O!U:walk", &WordTableType, &table_object, &spaced))
        return NULL;
    if (!spaced_text(spaced, "walk"))
        return NULL;
    const WordTable *table = (const WordTable *)table_object;
    const char *text = (const char *)PyUnicode_1BYTE_DATA(spaced);
    Py_ssize_t length = PyUnicode_GET_LENGTH(spaced);
    PyObject *hits = PyList_New(0);
    if (hits == NULL)
        return NULL;
    Py_ssize_t start, end = 0;
    uint64_t hash;
    for (;;) {
        next_word_hashed(text, length, end, &start, &end, &hash);
        if (start == length)
            break;
        const Slot *slot = find_hashed(table, text + start, end - start, hash);
        if (slot == NULL || !(slot->flags & (SINGLE | FIRST)))
            continue;
        int phrase = (slot->flags & FIRST) && phrase_may_start(table, text, length, start, end);
        if (!phrase && !(slot->flags & SINGLE))
            continue;
        /* (start, end, entry, phrase), built by hand: Py_BuildValue parses its format each time */
        PyObject *first = PyLong_FromSsize_t(start - 1), *last = PyLong_FromSsize_t(end - 1);
        PyObject *entry = PyLong_FromLong(slot->entry);
        PyObject *hit = first && last && entry ? PyTuple_New(4) : NULL;
        if (hit == NULL) {
            Py_XDECREF(first);
            Py_XDECREF(last);
            Py_XDECREF(entry);
            Py_DECREF(hits);
            return NULL;
        }
        PyTuple_SET_ITEM(hit, 0, first);
        PyTuple_SET_ITEM(hit, 1, last);
        PyTuple_SET_ITEM(hit, 2, entry);
        PyTuple_SET_ITEM(hit, 3, Py_NewRef(phrase ? Py_True : Py_False));
        int failed = PyList_Append(hits, hit);
        Py_DECREF(hit);
        if (failed) {
            Py_DECREF(hits);
            return NULL;
        }
    }
    return hits;
}

/* Adds to `found` the words of `words` (the table's entries index it) that are words of
 * text[from:to], as text[from:to].split() cuts them. 0, or -1 with an exception set. */
static int add_present(const WordTable *table, PyObject *words, const char *text, Py_ssize_t from, Py_ssize_t to,
                       PyObject *found) {
    Py_ssize_t start, end = 0, length = to - from;
    uint64_t hash;
    text += from;
    for (;;) {
        next_word_hashed(text, length, end, &start, &end, &hash);
        if (start == length)
            return 0;
        const Slot *slot = find_hashed(table, text + start, end - start, hash);
        if (slot == NULL)
            continue;
        if (slot->entry < 0 || slot->entry >= PyTuple_GET_SIZE(words)) {
            PyErr_SetString(PyExc_IndexError, "present(): a table entry outside its words");
            return -1;
        }
        if (PySet_Add(found, PyTuple_GET_ITEM(words, slot->entry)) < 0)
            return -1;
    }
}

/* present(table, words, spaced[, from, to, from2, to2]) -> the set of the words of `words`
 * (the table's entries index it) that are words of `spaced`, or of spaced[from:to] and
 * spaced[from2:to2], each cut as a slice would be (bounds past the end end there; none is
 * negative): a window of context words around a match, without its words as strings. */
static PyObject *present(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 3 && nargs != 7) {
        PyErr_SetString(PyExc_TypeError, "present() takes 3 or 7 arguments");
        return NULL;
    }
    if (!PyObject_TypeCheck(args[0], &WordTableType) || !PyTuple_Check(args[1]) || !PyUnicode_Check(args[2])) {
        PyErr_SetString(PyExc_TypeError, "present(table: WordTable, words: tuple, spaced: str, ...)");
        return NULL;
    }
    PyObject *spaced = args[2];
    if (!spaced_text(spaced, "present"))
        return NULL;
    const WordTable *table = (const WordTable *)args[0];
    const char *text = (const char *)PyUnicode_1BYTE_DATA(spaced);
    Py_ssize_t length = PyUnicode_GET_LENGTH(spaced);
    Py_ssize_t bounds[4] = {0, length, 0, 0};
    for (Py_ssize_t i = 3; i < nargs; i++) {
        Py_ssize_t bound = PyLong_AsSsize_t(args[i]);
        if (bound == -1 && PyErr_Occurred())
            return NULL;
        if (bound < 0) {
            PyErr_SetString(PyExc_ValueError, "present(): a negative bound");
            return NULL;
        }
        bounds[i - 3] = bound > length ? length : bound;
    }
    PyObject *found = PySet_New(NULL);
    if (found == NULL)
        return NULL;
    for (int pair = 0; pair < 4; pair += 2) {
        if (bounds[pair] < bounds[pair + 1] &&
            add_present(table, args[1], text, bounds[pair], bounds[pair + 1], found) < 0) {
            Py_DECREF(found);
            return NULL;
        }
    }
    return found;
}

/* Per ASCII byte: its lowercase, and its case (1: a lowercase letter or a digit, 2: a
 * capital, 0: neither). Filled when the module is loaded. */
static unsigned char lower[128], kind[128];

static void fill_case_tables(void) {
    for (int c = 0; c < 128; c++) {
        int upper = c >= 'A' && c <= 'Z';
        lower[c] = (unsigned char)(upper ? c + 32 : c);
        kind[c] = (unsigned char)(upper ? 2 : ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) ? 1 : 0);
    }
}

/* map[lower[c]] for every ASCII byte c, for the scan table `map` (the same one at every call,
 * lexicon._SCAN_BYTES: made again only when another is given). */
static unsigned char cached_map[256], cached_spaced_of[128];
static int cached = 0;

static const unsigned char *spaced_table(const unsigned char *map) {
    if (!cached || memcmp(cached_map, map, 256) != 0) {
        memcpy(cached_map, map, 256);
        for (int c = 0; c < 128; c++)
            cached_spaced_of[c] = map[lower[c]];
        cached = 1;
    }
    return cached_spaced_of;
}

/* Appends (start, end) to `spans`; 0, or -1 with an exception set. */
static int add_span(PyObject *spans, Py_ssize_t start, Py_ssize_t end) {
    PyObject *span = Py_BuildValue("(nn)", start, end);
    if (span == NULL)
        return -1;
    int failed = PyList_Append(spans, span);
    Py_DECREF(span);
    return failed;
}

/* prepare(view, scan_bytes) -> (low, spaced, hinted) | None; `hinted`: where each word (a
 * run of letters and digits) that holds a camelCase hint (a lowercase letter or digit, then
 * a capital) starts and ends, in order, each once. */
static PyObject *prepare(PyObject *module, PyObject *args) {
    PyObject *view;
    Py_buffer table;
    if (!PyArg_ParseTuple(args, "Uy*:prepare", &view, &table))
        return NULL;
    if (table.len != 256) {
        PyBuffer_Release(&table);
        PyErr_SetString(PyExc_ValueError, "prepare() needs a 256-byte table");
        return NULL;
    }
    if (!PyUnicode_IS_ASCII(view)) {
        PyBuffer_Release(&table);
        Py_RETURN_NONE;
    }
    const unsigned char *map = table.buf;
    Py_ssize_t length = PyUnicode_GET_LENGTH(view);
    const unsigned char *text = PyUnicode_1BYTE_DATA(view);
    PyObject *low = PyUnicode_New(length, 127);
    PyObject *spaced = PyUnicode_New(length + 2, 127);
    if (low == NULL || spaced == NULL) {
        Py_XDECREF(low);
        Py_XDECREF(spaced);
        PyBuffer_Release(&table);
        return NULL;
    }
    PyObject *hinted = PyList_New(0);
    PyObject *result = NULL;
    if (hinted == NULL)
        goto done;
    unsigned char *lowered = PyUnicode_1BYTE_DATA(low), *out = PyUnicode_1BYTE_DATA(spaced);
    const unsigned char *spaced_of = spaced_table(map);
    out[0] = ' ';
    for (Py_ssize_t i = 0; i < length; i++) {
        unsigned char c = text[i];
        lowered[i] = lower[c];
        out[i + 1] = spaced_of[c];
    }
    /* The words that hold a hint, in a second pass: a capital is rare, and the pass that
     * maps every byte stays free of branches. */
    for (Py_ssize_t i = 1; i < length; i++) {
        if (kind[text[i]] != 2 || kind[text[i - 1]] != 1)
            continue;
        Py_ssize_t start = i - 1, end = i + 1;
        while (start > 0 && kind[text[start - 1]] != 0)
            start--;
        while (end < length && kind[text[end]] != 0)
            end++;
        if (add_span(hinted, start, end) < 0)
            goto done;
        i = end;
    }
    /* a byte mapped to NUL: not runs of letters and digits (None, for the Python path) */
    int none = memchr(out + 1, 0, length) == NULL;
    out[length + 1] = ' ';
    result = none ? PyTuple_Pack(3, low, spaced, hinted) : Py_NewRef(Py_None);
done:
    PyBuffer_Release(&table);
    Py_DECREF(low);
    Py_DECREF(spaced);
    Py_XDECREF(hinted);
    return result;
}

/* record(cls, names, *values) -> object.__new__(cls) with names[i] set to values[i] as
 * object.__setattr__ sets it: what a frozen dataclass's __init__ leaves, without calling it. */
static PyObject *record(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs < 2 || !PyType_Check(args[0]) || !PyTuple_Check(args[1]) || PyTuple_GET_SIZE(args[1]) != nargs - 2) {
        PyErr_SetString(PyExc_TypeError, "record(cls: type, names: tuple, *values): one value per name");
        return NULL;
    }
    if (((PyTypeObject *)args[0])->tp_new != PyBaseObject_Type.tp_new) { /* what object.__new__ refuses */
        PyErr_SetString(PyExc_TypeError, "record() makes instances of classes that object.__new__ makes");
        return NULL;
    }
    PyObject *empty = PyTuple_New(0);
    PyObject *made = empty == NULL ? NULL : PyBaseObject_Type.tp_new((PyTypeObject *)args[0], empty, NULL);
    Py_XDECREF(empty);
    for (Py_ssize_t i = 2; made != NULL && i < nargs; i++) {
        if (PyObject_GenericSetAttr(made, PyTuple_GET_ITEM(args[1], i - 2), args[i]) < 0)
            Py_CLEAR(made);
    }
    return made;
}

static PyMethodDef methods[] = {
    {"walk", walk, METH_VARARGS, "The words of a spaced text that start a term: [(start, end, entry, phrase)]."},
    {"present", (PyCFunction)(void (*)(void))present, METH_FASTCALL,
     "The words of a table that a spaced text (or two slices of it) holds."},
    {"prepare", prepare, METH_VARARGS, "An ASCII view's lowercase copy, spaced copy and camelCase words' spans, or None."},
    {"record", (PyCFunction)(void (*)(void))record, METH_FASTCALL,
     "object.__new__(cls) with names[i] set to values[i] as object.__setattr__ sets it."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "tracer._scan", NULL, -1, methods};

PyMODINIT_FUNC PyInit__scan(void) {
    fill_case_tables();
    if (PyType_Ready(&WordTableType) < 0)
        return NULL;
    PyObject *created = PyModule_Create(&module);
    if (created == NULL)
        return NULL;
    Py_INCREF(&WordTableType);
    if (PyModule_AddObject(created, "WordTable", (PyObject *)&WordTableType) < 0) {
        Py_DECREF(&WordTableType);
        Py_DECREF(created);
        return NULL;
    }
    return created;
}
