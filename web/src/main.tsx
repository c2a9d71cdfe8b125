import { render } from 'solid-js/web';
import { App } from './App.tsx';
import { startLive } from './live.ts';
import './styles.css';

const root = document.getElementById('app');
if (!root) throw new Error('edgecase: #app is missing from index.html');

startLive();
render(() => <App />, root);
