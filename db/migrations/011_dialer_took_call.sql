-- When the dialer took the call (answered 202/200 for it). A call checked but never taken (the
-- dialer was down) is checked again before it is dialed later: a stop, a do-not-call entry or a
-- closed window that came during the outage must hold. A call the dialer took is not checked
-- again (it may be ringing).
ALTER TABLE call_attempts ADD COLUMN dialer_took_at timestamptz;
