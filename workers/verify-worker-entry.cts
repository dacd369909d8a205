/**
 * The file piscina loads on each verification thread. Piscina loads it with require(), and on
 * Node 20.19+ a require() of an ES module aborts the whole process (a native assertion in
 * CreateRequiredModuleFacade) when the thread is terminated while that module is still loading,
 * which a pool closed right after it started does. So this entry is CommonJS and loads the ES
 * worker with import(), whose loading a terminated thread simply abandons. Piscina awaits the
 * exported promise for the handler.
 */
module.exports = import('./verify-worker.js').then((worker) => worker.default);
