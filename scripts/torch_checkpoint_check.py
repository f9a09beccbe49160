#!/usr/bin/env python3
"""Writes and reads torch.save-format checkpoints without PyTorch, for SwiftTorch's tests.

  write DIR   writes DIR/model.pt (a state dict laid out exactly as torch.save's zip format:
              archive/data.pkl with persistent storage ids, archive/data/<key>, byteorder,
              version) and hostile variants: os_system.pt, eval.pt, unknown.pt, bad_offset.pt
  read PATH   unpickles our file like torch.load(weights_only=True) (an allow-listed
              find_class and persistent_load) and prints 'name dtype shape sum'
"""
import collections, io, os, pickle, sys, types, zipfile
import numpy as np

# Stand-ins for the torch globals the real files reference (module and qualified names match).
torch = types.ModuleType("torch"); torch_utils = types.ModuleType("torch._utils")
sys.modules["torch"] = torch; sys.modules["torch._utils"] = torch_utils
class FloatStorage: pass
class LongStorage: pass
FloatStorage.__module__ = LongStorage.__module__ = "torch"
torch.FloatStorage, torch.LongStorage = FloatStorage, LongStorage
def _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks, metadata=None):
    dtype, data = storage
    itemsize = np.dtype(dtype).itemsize
    return np.lib.stride_tricks.as_strided(np.frombuffer(data, dtype=dtype)[offset:], size, [s * itemsize for s in stride]).copy()
_rebuild_tensor_v2.__module__ = "torch._utils"
torch_utils._rebuild_tensor_v2 = _rebuild_tensor_v2

class Tensor:
    def __init__(self, array, key, offset=0, size=None, stride=None):
        self.array, self.key, self.offset = array, key, offset
        self.size = size if size is not None else array.shape
        self.stride = stride if stride is not None else tuple(s // array.itemsize for s in array.strides)
    def __reduce__(self):
        return (_rebuild_tensor_v2, (StorageRef(self), self.offset, tuple(self.size), tuple(self.stride), False, collections.OrderedDict()))
class StorageRef:
    def __init__(self, t): self.t = t

def write_checkpoint(path, state, extra=None):
    buf = io.BytesIO()
    storages = {}
    class P(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, StorageRef):
                t = obj.t
                storages[t.key] = t.array.tobytes()
                kind = FloatStorage if t.array.dtype == np.float32 else LongStorage
                return ("storage", kind, t.key, "cpu", t.array.size)
            return None
    P(buf, protocol=2).dump(state if extra is None else extra)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", buf.getvalue())
        z.writestr("archive/byteorder", "little")
        for k, v in storages.items(): z.writestr(f"archive/data/{k}", v)
        z.writestr("archive/version", "3\n")

if sys.argv[1] == "write":
    d = sys.argv[2]
    w = np.arange(12, dtype=np.float32).reshape(3, 4)
    state = collections.OrderedDict([("fc.weight", Tensor(w, "0")), ("fc.bias", Tensor(np.array([1.5, -2.0], dtype=np.float32), "1")),
                                     ("steps", Tensor(np.array([7], dtype=np.int64), "2")),
                                     ("fc.weight_t", Tensor(w.copy(), "3", 1, (2, 3), (1, 4)))])
    write_checkpoint(f"{d}/model.pt", state)
    class Evil:
        def __reduce__(self): return (os.system, ("echo pwned",))
    write_checkpoint(f"{d}/os_system.pt", state, extra={"x": Evil()})
    class Eval:
        def __reduce__(self): return (eval, ("1+1",))
    write_checkpoint(f"{d}/eval.pt", state, extra=[Eval()])
    write_checkpoint(f"{d}/unknown.pt", state, extra={"p": zipfile.ZipInfo("x")})
    write_checkpoint(f"{d}/bad_offset.pt", state, extra={"t": Tensor(np.zeros(4, dtype=np.float32), "9", 3, (4,), (1,))})
else:
    allowed = {("collections", "OrderedDict"), ("torch._utils", "_rebuild_tensor_v2"), ("torch", "FloatStorage"), ("torch", "LongStorage"),
               ("torch", "DoubleStorage"), ("torch", "IntStorage")}
    with zipfile.ZipFile(sys.argv[2]) as z:
        prefix = [n for n in z.namelist() if n.endswith("data.pkl")][0][:-8]
        dtypes = {"FloatStorage": np.float32, "LongStorage": np.int64, "DoubleStorage": np.float64, "IntStorage": np.int32}
        class U(pickle.Unpickler):
            def find_class(self, module, name):
                if (module, name) not in allowed: raise pickle.UnpicklingError(f"{module}.{name} not allowed")
                if module == "torch": return name
                return super().find_class(module, name)
            def persistent_load(self, pid):
                _, kind, key, _, numel = pid
                return (dtypes[kind], z.read(prefix + "data/" + key))
        state = U(io.BytesIO(z.read(prefix + "data.pkl"))).load()
    for k, v in state.items():
        print(k, v.dtype, list(v.shape), float(v.astype(np.float64).sum()))
