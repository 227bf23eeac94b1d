/* ember.backends.cpu._call: the call of a compiled function, in C.
 *
 * CPUExecutable.__call__ (backend.py) checks its arrays against the signature, allocates
 * the outputs and calls the compiled entry `void ember.packed.<symbol>(PyObject **arrays,
 * int64_t data_offset)` (toolchain.py). In Python that took about 3 us a call (a spec
 * comparison, a ctypes array of addresses, the ctypes call), more than a small kernel;
 * here it is one C call. The rules stay in backend.py: this module checks what it is given,
 * and says None where the Python side must convert the arrays first.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

typedef void (*entry_fn)(PyObject **arrays, int64_t data_offset);

static PyObject *ndarray_type; /* numpy.ndarray */
static PyObject *numpy_empty;  /* numpy.empty */
static PyObject *spec_names[3];

/* 1 when `array` is exactly a NumPy array whose (shape, dtype, strides) equal `spec`'s,
 * 0 when not, -1 with an exception set. */
static int matches(PyObject *array, PyObject *spec)
{
    if ((PyObject *)Py_TYPE(array) != ndarray_type)
        return 0;
    for (int k = 0; k < 3; k++) {
        PyObject *value = PyObject_GetAttr(array, spec_names[k]);
        if (value == NULL)
            return -1;
        int equal = PyObject_RichCompareBool(value, PyTuple_GET_ITEM(spec, k), Py_EQ);
        Py_DECREF(value);
        if (equal <= 0)
            return equal;
    }
    return 1;
}

static int check_tuple(PyObject *value, const char *what)
{
    if (!PyTuple_Check(value)) {
        PyErr_Format(PyExc_TypeError, "_call.call: %s must be a tuple, received %s", what,
                     Py_TYPE(value)->tp_name);
        return 0;
    }
    return 1;
}

/* call(entry, data_offset, in_specs, out_specs, passed_in, passed_out, arrays)
 *
 * entry: the address of the compiled entry; in_specs: a (shape, dtype, strides) tuple per
 * input; out_specs: a (shape, dtype) tuple per output; passed_in, passed_out: the positions
 * of the arrays the entry takes (empty arrays are not passed); arrays: a list or tuple.
 * Returns the list of new output arrays, or None when an array does not match its spec. */
static PyObject *call(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs != 7) {
        PyErr_Format(PyExc_TypeError, "_call.call takes 7 arguments, received %zd", nargs);
        return NULL;
    }
    entry_fn entry = (entry_fn)PyLong_AsVoidPtr(args[0]);
    int64_t data_offset = PyLong_AsLongLong(args[1]);
    if (PyErr_Occurred())
        return NULL;
    PyObject *in_specs = args[2], *out_specs = args[3], *passed_in = args[4],
             *passed_out = args[5];
    if (!check_tuple(in_specs, "in_specs") || !check_tuple(out_specs, "out_specs") ||
        !check_tuple(passed_in, "passed_in") || !check_tuple(passed_out, "passed_out"))
        return NULL;
    PyObject *sequence = PySequence_Fast(args[6], "_call.call: arrays must be a list or tuple");
    if (sequence == NULL)
        return NULL;
    Py_ssize_t n_in = PySequence_Fast_GET_SIZE(sequence);
    PyObject **arrays = PySequence_Fast_ITEMS(sequence);
    PyObject *outs = NULL;
    PyObject *stack[64], **objects = stack;

    if (n_in != PyTuple_GET_SIZE(in_specs))
        goto mismatch;
    for (Py_ssize_t i = 0; i < n_in; i++) {
        int ok = matches(arrays[i], PyTuple_GET_ITEM(in_specs, i));
        if (ok < 0)
            goto fail;
        if (ok == 0)
            goto mismatch;
    }
    Py_ssize_t n_out = PyTuple_GET_SIZE(out_specs);
    outs = PyList_New(n_out);
    if (outs == NULL)
        goto fail;
    for (Py_ssize_t j = 0; j < n_out; j++) {
        PyObject *spec = PyTuple_GET_ITEM(out_specs, j);
        PyObject *out = PyObject_Vectorcall(numpy_empty, &PyTuple_GET_ITEM(spec, 0), 2, NULL);
        if (out == NULL)
            goto fail;
        PyList_SET_ITEM(outs, j, out);
    }
    Py_ssize_t n_passed = PyTuple_GET_SIZE(passed_in) + PyTuple_GET_SIZE(passed_out);
    if (n_passed > (Py_ssize_t)(sizeof(stack) / sizeof(stack[0]))) {
        objects = PyMem_Malloc(n_passed * sizeof(PyObject *));
        if (objects == NULL) {
            PyErr_NoMemory();
            goto fail;
        }
    }
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(passed_in); i++, k++) {
        Py_ssize_t at = PyLong_AsSsize_t(PyTuple_GET_ITEM(passed_in, i));
        if (at < 0 || at >= n_in) {
            PyErr_Format(PyExc_IndexError, "_call.call: no input %zd", at);
            goto fail;
        }
        objects[k] = arrays[at];
    }
    for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(passed_out); j++, k++) {
        Py_ssize_t at = PyLong_AsSsize_t(PyTuple_GET_ITEM(passed_out, j));
        if (at < 0 || at >= n_out) {
            PyErr_Format(PyExc_IndexError, "_call.call: no output %zd", at);
            goto fail;
        }
        objects[k] = PyList_GET_ITEM(outs, at);
    }
    /* NOTE: `sequence` and `outs` hold every array through the call; the kernels may run
     * long and on other threads, so the GIL is released, as ctypes does. */
    Py_BEGIN_ALLOW_THREADS
    entry(objects, data_offset);
    Py_END_ALLOW_THREADS
    if (objects != stack)
        PyMem_Free(objects);
    Py_DECREF(sequence);
    return outs;

mismatch:
    Py_DECREF(sequence);
    Py_RETURN_NONE;
fail:
    if (objects != stack)
        PyMem_Free(objects);
    Py_XDECREF(outs);
    Py_DECREF(sequence);
    return NULL;
}

static PyMethodDef methods[] = {
    {"call", (PyCFunction)(void (*)(void))call, METH_FASTCALL,
     "call(entry, data_offset, in_specs, out_specs, passed_in, passed_out, arrays): the "
     "outputs of the compiled entry, or None when an array does not match its spec"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_call", "Calls compiled CPU functions (see backend.py).", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__call(void)
{
    PyObject *numpy = PyImport_ImportModule("numpy");
    if (numpy == NULL)
        return NULL;
    ndarray_type = PyObject_GetAttrString(numpy, "ndarray");
    numpy_empty = PyObject_GetAttrString(numpy, "empty");
    Py_DECREF(numpy);
    if (ndarray_type == NULL || numpy_empty == NULL)
        return NULL;
    const char *names[3] = {"shape", "dtype", "strides"};
    for (int k = 0; k < 3; k++) {
        spec_names[k] = PyUnicode_InternFromString(names[k]);
        if (spec_names[k] == NULL)
            return NULL;
    }
    return PyModule_Create(&module);
}
