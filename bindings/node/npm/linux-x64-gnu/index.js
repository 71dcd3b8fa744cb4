'use strict';
// Where this package's prebuilt library is; the hsession package loads it.
module.exports = { libraryPath: require('node:path').join(__dirname, 'libhsession.so') };
