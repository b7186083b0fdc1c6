#!/usr/bin/env python3
"""Two more forms of `ar-weekly`, replayed (2026-12-05, not adopted; see README, `ar-weekly` and households).

Each of the last 14 days is an origin; every form is refitted on everything before it and forecasts the next day.
Printed: each form's MAE over the 14 days as a ratio to the weekly seasonal naive's.
- old: ar-weekly as it is (w_t = y_t - y_{t-week} on an intercept, w_{t-1..p} and w_{t-day}, p by AICc).
- two: the daily and weekly terms (w_{t-day}, w_{t-week}, w_{t-2 week}; P by AICc) fitted first, then an AR(p) on
  their residuals, so the seasonal terms are not shrunk by the short lags that the day ahead no longer knows.
- direct: the orders of the joint model with seasonal terms, one regression per step of the day.
- val: old, the joint form with 1-2 weekly terms, or two, chosen per origin by a 7-day in-sample day-ahead MAE.

    python3 Benchmarks/ar_weekly_forms.py FILE OBSERVATIONS_PER_DAY COLUMN [COLUMN ...]
    python3 Benchmarks/ar_weekly_forms.py Datasets/taylor_england_wales_halfhourly_2000.csv 48 demand_mw
"""
import numpy as np, sys, csv
def aicc(sse,n,k):
    p=k+1; return n*np.log(sse/n)+2*p+2*p*(p+1)/max(1,n-p-1)
def design(w,start,cols):
    return np.column_stack([np.ones(len(w)-start)]+[w[start-l:len(w)-l] for l in cols])
def fit_joint(y,day,Ps=(0,1,2),orders=(1,2,3,4,6,8)):
    week=7*day; w=y[week:]-y[:-week]; mo=max(orders)
    maxP=max([P for P in Ps if len(w)-max(mo,day,P*week)>=10*(mo+2+P)])
    start=max(mo,day,maxP*week); best=None
    for P in Ps:
        if P>maxP: continue
        for p in orders:
            lags=list(range(1,p+1))+[day]+[j*week for j in range(1,P+1)]
            X=design(w,start,lags); t=w[start:]
            b,*_=np.linalg.lstsq(X,t,rcond=None); sse=((t-X@b)**2).sum()
            a=aicc(sse,len(t),X.shape[1])
            if best is None or a<best[0]: best=(a,lags,b)
    return best
def fc_joint(y,day,m,H):
    week=7*day; _,lags,b=m; w=list(y[week:]-y[:-week]); y=list(y)
    for h in range(H):
        nx=b[0]+sum(bb*w[len(w)-l] for bb,l in zip(b[1:],lags)); w.append(nx); y.append(y[len(y)-week]+nx)
    return np.array(y[-H:])
def fit_two(y,day,Ps=(0,1,2),orders=(1,2,3,4,6,8)):
    week=7*day; w=y[week:]-y[:-week]; mo=max(orders)
    maxP=max([P for P in Ps if len(w)-max(mo,day,P*week)>=10*(mo+2+P)])
    start=max(day,maxP*week); best=None
    for P in Ps:
        if P>maxP: continue
        lags=[day]+[j*week for j in range(1,P+1)]
        X=design(w,start,lags); t=w[start:]
        b,*_=np.linalg.lstsq(X,t,rcond=None); sse=((t-X@b)**2).sum(); a=aicc(sse,len(t),X.shape[1])
        if best is None or a<best[0]: best=(a,lags,b)
    _,slags,sb=best
    u=w[start:]-design(w,start,slags)@sb
    bestu=None
    for p in orders:
        X=np.column_stack([u[mo-i:len(u)-i] for i in range(1,p+1)]); t=u[mo:]
        b,*_=np.linalg.lstsq(X,t,rcond=None); sse=((t-X@b)**2).sum(); a=aicc(sse,len(t),p)
        if bestu is None or a<bestu[0]: bestu=(a,p,b)
    return (slags,sb,bestu[2],u)
def fc_two(y,day,m,H):
    week=7*day; slags,sb,ab,u=m; w=list(y[week:]-y[:-week]); y=list(y); u=list(u)
    for h in range(H):
        un=sum(a*u[len(u)-1-i] for i,a in enumerate(ab)); u.append(un)
        nx=sb[0]+sum(bb*w[len(w)-l] for bb,l in zip(sb[1:],slags))+un
        w.append(nx); y.append(y[len(y)-week]+nx)
    return np.array(y[-H:])
def cands(day):
    c=[]
    for P in (0,1,2): c.append(('j%d'%P, lambda y,d,P=P: fit_joint(y,d,Ps=(P,)), fc_joint))
    for P in (1,2): c.append(('t%d'%P, lambda y,d,P=P: fit_two(y,d,Ps=(P,)), fc_two))
    return c
def fit_val(y,day,V=7,only=None):
    cs=[c for c in cands(day) if only is None or c[0] in only]; best=None
    tr=y[:len(y)-V*day]
    for name,f,fc in cs:
        try: m=f(tr,day)
        except Exception: continue
        e=0
        for o in range(V,0,-1):
            hist=y[:len(y)-o*day]
            # refit-free: use m's coefficients with the extended history
            if fc is fc_two:
                week=7*day; slags,sb,ab,_=m; w=hist[week:]-hist[:-week]; st=max(slags)
                u=w[st:]-design(w,st,slags)@sb; mm=(slags,sb,ab,u)
            else: mm=m
            e+=np.abs(y[len(y)-o*day:len(y)-o*day+day]-fc(hist,day,mm,day)).mean()
        if best is None or e<best[0]: best=(e,name,f,fc)
    return best
def fit_direct(y,day,H,Ps=(0,1,2)):
    week=7*day; w=y[week:]-y[:-week]
    _,lags,_=fit_joint(y,day,Ps=Ps)
    p=len([l for l in lags if l<day]); P=len([l for l in lags if l>=week])
    start=max(p,day,P*week)
    coefs=[]
    for h in range(H):
        # predict w[t+h] from w[t-1..t-p] (known at origin t), w[t+h-day] (known when h<day), w[t+h-j*week]
        ts=np.arange(start,len(w)-h)
        cols=[np.ones(len(ts))]+[w[ts-i] for i in range(1,p+1)]+[w[ts+h-day]]+[w[ts+h-j*week] for j in range(1,P+1)]
        X=np.column_stack(cols); b,*_=np.linalg.lstsq(X,w[ts+h],rcond=None); coefs.append(b)
    return (p,P,coefs)
def fc_direct(y,day,m,H):
    week=7*day; p,P,coefs=m; w=y[week:]-y[:-week]; n=len(w); out=[]
    for h in range(H):
        b=coefs[h]; x=[1]+[w[n-i] for i in range(1,p+1)]+[w[n+h-day]]+[w[n+h-j*week] for j in range(1,P+1)]
        out.append(y[len(y)-week+h]+np.dot(b,x))
    return np.array(out)
def run(path,col,day):
    r=list(csv.DictReader(open(path))); y=np.array([float(x[col]) for x in r]); H=day; week=7*day
    res={k:0.0 for k in ['naive','old','two','direct','val']}
    for o in range(14,0,-1):
        tr=y[:len(y)-o*day]; te=y[len(y)-o*day:len(y)-o*day+H]
        res['naive']+=np.abs(te-tr[-week:][:H]).mean()
        res['old']+=np.abs(te-fc_joint(tr,day,fit_joint(tr,day,Ps=(0,)),H)).mean()
        res['two']+=np.abs(te-fc_two(tr,day,fit_two(tr,day),H)).mean()
        res['direct']+=np.abs(te-fc_direct(tr,day,fit_direct(tr,day,H),H)).mean()
        b=fit_val(tr,day)
        res['val']+=np.abs(te-b[3](tr,day,b[2](tr,day),H)).mean()
    n=res['naive']; print(col, ' '.join(f"{k}={v/n:.3f}" for k,v in res.items()),flush=True)
if __name__ == "__main__":
    path, day = sys.argv[1], int(sys.argv[2])
    for c in sys.argv[3:]:
        run(path, c, day)
