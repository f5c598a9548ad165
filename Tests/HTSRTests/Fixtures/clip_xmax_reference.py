# Independent NumPy implementation of the spec's power-law fit with fix_fingers=clip_xmax
# (specs/htsr.md section 2), used to produce clip_xmax_reference.json. The fixtures' JSON has no
# clip_xmax output (WeightWatcher was run with the default fix_fingers), so this is an
# independent reference for that option (weightwatcher-0.7.7.clip_xmax.json is WeightWatcher's
# own); its unclipped fit reproduces weightwatcher-0.7.7.json to 1e-13.
# Run: python3 clip_xmax_reference.py > clip_xmax_reference.json (needs numpy, not the project).
import json, os, numpy as np

def plfit(ev):
    x = np.sort(ev); x = x[x > 1e-5]; n = len(x)
    Ds = []
    for i in range(n - 1):
        k = n - i; S = np.sum(np.log(x[i:] / x[i]))
        if n < 20:
            if k < 8 or S <= 1e-12: Ds.append(1.0); continue
            a = 1 + (k - 1) / S
        else:
            a = 1 + k / S
        if a <= 1: Ds.append(1.0); continue
        Ds.append(np.max(np.abs(1 - (x[i:] / x[i]) ** (1 - a) - np.arange(k) / k)))
    if n < 2 or min(Ds) >= 1.0: return None  # no valid fit
    i = int(np.argmin(Ds)); k = n - i; S = np.sum(np.log(x[i:] / x[i]))
    a = 1 + ((k - 1) if n < 20 else k) / S
    return dict(alpha=a, xmin=x[i], xmax=x[-1], D=Ds[i], sigma=(a - 1) / np.sqrt(k))

def clip(ev):
    ev = np.sort(ev); raw = plfit(ev)
    for r in range(2, 10):
        f = plfit(ev[:-r])
        if f is None: return None  # a failed refit fails the layer (WeightWatcher 0.7.7: alpha -1)
        if f['alpha'] + 1.0 < raw['alpha']: return f, r - 1, raw
        if f['alpha'] <= 2.0: break
    return raw, 0, raw

here = os.path.dirname(os.path.abspath(__file__))
out = []
for name in sorted(f for f in os.listdir(here) if f.endswith('.npy')):
    W = np.load(os.path.join(here, name)).astype(np.float64)
    ev = np.linalg.svd(W, compute_uv=False) ** 2
    fitted = clip(ev)
    if fitted is None:
        out.append(dict(file=name, status='failed')); continue
    f, nf, raw = fitted
    out.append(dict(file=name, num_fingers=nf, raw_alpha=float(raw['alpha']),
                    num_pl_spikes=int(np.sum(ev >= f['xmin'])),
                    alpha_weighted=float(f['alpha'] * np.log10(ev.max())),
                    **{k: float(v) for k, v in f.items()}))
print(json.dumps(out, indent=1))
