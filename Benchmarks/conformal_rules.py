#!/usr/bin/env python3
"""Replays split-conformal rules on a backtest's forecasts (issue 21's coverage target).

Reads `peergrid backtest --forecasts FILE.csv` over C + 14 test days. For each of the last 14 days, the 95 %
half-width of each horizon step comes from the C days before it, as `backtest --calibration-days C` does:
  plain       the conformal quantile of |error| of the step and the two on each side (PeerGrid's rule);
  pooled-all  the same over every step of the day;
  normalized  |error| / the model's own half-width, times today's own half-width (locally adaptive);
  relative    |error| / |forecast|, times today's |forecast| (skipped where the forecast is 0);
  recent-R    |error| / the model's mean |error| over the R days before that day, times the same scale before
              today (R = 1, 3, 7; needs R more days in the file: run the backtest over C + 21 test days).
  aci-G       plain, with adaptive conformal inference (Gibbs and Candes 2021) updated after every observation
              of a test day once the day is over: the miscoverage level moves by G (0.05 - missed) (G = 0.002,
              0.005, 0.01; `backtest --aci-gamma` updates once a day).
  dtaci       dynamically-tuned ACI (Gibbs and Candes 2022): eight ACI experts with G = 0.001 ... 0.128, mixed by
              exponential weights on their pinball loss, with the paper's learning rate and sigma = 1/(2I) for
              I observations.
Prints each model's coverage and mean width under each rule. Physical bounds are not applied here, so PV
night hours are not trivially covered as they are in `backtest`.

    python3 Benchmarks/conformal_rules.py taylor-f.csv 14
"""
import csv
import math
import sys
from collections import OrderedDict

import numpy as np
f=OrderedDict()
for r in csv.DictReader(open(sys.argv[1])):
    d=f.setdefault(r['model'],OrderedDict()).setdefault(r['origin'],[[],[],[],[]])
    d[0].append(float(r['actual']));d[1].append(float(r['forecast']));d[2].append(float(r['lower_95']));d[3].append(float(r['upper_95']))
C=int(sys.argv[2]); K=14
def q(scores,level=0.95):
    s=np.sort(scores); k=math.ceil((len(s)+1)*level); return s[min(len(s),max(1,k))-1]
for m,days in f.items():
    D=[np.array(v) for v in days.values()]
    n=len(D); H=len(D[0][0])
    res={}
    E=[np.abs(np.array(d[0])-np.array(d[1])) for d in D]
    def recent(j,R): return np.mean(E[j-R:j]) if j>=R else float('nan')
    rules=['plain','pooled-all','normalized','relative']+[f'recent-{R}' for R in (1,3,7) if n-K-C>=R]
    for rule in rules:
        cov=[];wid=[]
        for i in range(n-K,n):
            cal=D[i-C:i]
            a,p,lo,hi=D[i]
            for h in range(H):
                js=range(max(0,h-2),min(H,h+3))
                if rule=='plain': sc=[abs(c[0][j]-c[1][j]) for c in cal for j in js]; w=q(sc)
                elif rule=='pooled-all': sc=[abs(c[0][j]-c[1][j]) for c in cal for j in range(H)]; w=q(sc)
                elif rule=='normalized':
                    sc=[abs(c[0][j]-c[1][j])/max(1e-9,(c[3][j]-c[2][j])/2) for c in cal for j in js]; w=q(sc)*(hi[h]-lo[h])/2
                elif rule=='relative':
                    sc=[abs(c[0][j]-c[1][j])/abs(c[1][j]) for c in cal for j in js if c[1][j] != 0] or [0.0]; w=q(sc)*abs(p[h])
                elif rule.startswith('recent'):
                    R=int(rule.split('-')[1])
                    sc=[abs(c[0][j]-c[1][j])/recent(i-C+k,R) for k,c in enumerate(cal) for j in js]; w=q(sc)*recent(i,R)
                cov.append(p[h]-w<=a[h]<=p[h]+w); wid.append(2*w)
        res[rule]=f'{np.mean(cov):.3f} ({np.mean(wid):.0f})'
    for rule in ['aci-0.002','aci-0.005','aci-0.01','dtaci']:
        A=0.05; cov=[];wid=[]
        G=np.array([0.001*2**e for e in range(8)]) if rule=='dtaci' else np.array([float(rule[4:])])
        al=np.full(len(G),A); wt=np.ones(len(G))/len(G); I=K*H
        eta=math.sqrt(3/I)*math.sqrt((math.log(len(G)*I)+2)/((1-A)**2*A**3+A**2*(1-A)**3)); sigma=1/(2*I)
        for i in range(n-K,n):
            cal=D[i-C:i]; a,p,lo,hi=D[i]
            sc=[np.sort([abs(c[0][j]-c[1][j]) for c in cal for j in range(max(0,h-2),min(H,h+3))]) for h in range(H)]
            level=1-float(wt@al)
            ws=[q(sc[h],min(0.999,max(0.5,level))) for h in range(H)]
            cov+=[p[h]-ws[h]<=a[h]<=p[h]+ws[h] for h in range(H)]; wid+=[2*w for w in ws]
            for h in range(H):  # the day's observations, in order, once the day is over
                e=abs(a[h]-p[h]); beta=(np.sum(sc[h]>=e)+1)/(len(sc[h])+1)
                miss=np.array([e>q(sc[h],min(0.999,max(0.5,1-t))) for t in al],float)
                if rule=='dtaci':
                    loss=np.array([A*(beta-t)-min(0,beta-t) for t in al])
                    wt=wt*np.exp(-eta*loss); wt=(1-sigma)*wt/wt.sum()+sigma/len(G)
                al=al+G*(A-miss)
        res[rule]=f'{np.mean(cov):.3f} ({np.mean(wid):.0f})'
    print(f'{m:16s}', ' '.join(f'{k} {v}' for k,v in res.items()))
