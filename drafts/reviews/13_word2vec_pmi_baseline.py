import re, collections, numpy as np
t=open('/work/shared/data/tinyshakespeare/input.txt').read(); b=int(len(t)*0.9)
tok=lambda s: re.findall(r"[a-z]+(?:'[a-z]+)*", s.lower())
tw=tok(t[:b]); wc=collections.Counter(tw)
voc=[w for w,n in wc.most_common() if n>=5]; code={w:i for i,w in enumerate(voc)}; V=len(voc)
codes=np.array([code[w] for w in tw if w in code]); counts=np.bincount(codes,minlength=V); f=counts/counts.sum()
keep=np.minimum(1,np.sqrt(1e-3/f)); rng=np.random.default_rng(0)
pc=np.zeros(V*V)
import sys
for ep in range(int(sys.argv[1])):
    c=codes[rng.random(len(codes))<keep[codes]]; R=rng.integers(1,6,len(c))
    for d in range(1,6):
        r=R[:-d]>=d; l=R[d:]>=d
        pc+=np.bincount(c[:-d][r]*V+c[d:][r],minlength=V*V)+np.bincount(c[d:][l]*V+c[:-d][l],minlength=V*V)
pc=pc.reshape(V,V); pn=counts**0.75; pn=pn/pn.sum()
with np.errstate(divide='ignore'): sp=np.log(pc/(5*pc.sum(1,keepdims=True)*pn[None]))
fr=pc>=50; wi,ci=np.nonzero(fr); y=sp[fr]
a=np.zeros(V); bb=np.zeros(V)
for it in range(200):
    a=np.bincount(wi,y-bb[ci],minlength=V)/np.maximum(np.bincount(wi,minlength=V),1)
    bb=np.bincount(ci,y-a[wi],minlength=V)/np.maximum(np.bincount(ci,minlength=V),1)
print('frequent cells',fr.sum(),'additive (per-word + per-context bias) corr',np.corrcoef(a[wi]+bb[ci],y)[0,1])
# cheaper: -log #(w) - log Pn(c) only
z=-np.log(pc.sum(1))[wi]-np.log(pn)[ci]
print('corr with -log#(w)-log Pn(c):',np.corrcoef(z,y)[0,1], ' with log #(w,c):',np.corrcoef(np.log(pc[fr]),y)[0,1])
