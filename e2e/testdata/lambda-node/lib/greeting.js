exports.greeting = (name) => `Hello, ${name || "world"}!`;

// handler is reached as lib/greeting.handler (a nested directory).
exports.handler = async (event) => exports.greeting(event.name);
